package io.ordinaut.agent;

import java.net.URI;

/**
 * Judges an agent's webhook_url before it is stored, by the rules its deliveries will meet (the tools' egress
 * policy, applied by the event package), so an admin learns at once that a URL will never be delivered to.
 * Deliveries check again each attempt: the policy or what a host resolves to can change.
 */
@FunctionalInterface
public interface WebhookDestinations {

    /** @throws IllegalArgumentException saying why every delivery to {@code url} would be refused */
    void check(URI url);
}
