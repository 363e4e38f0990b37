package io.ordinaut.web;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The scope a route needs (e.g. {@code tasks:read}). Every route declares one, or {@link PublicEndpoint};
 * a route with neither is refused, and a test walks every route to keep it so.
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
public @interface RequiresScope {
    String value();
}
