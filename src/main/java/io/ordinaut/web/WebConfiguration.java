package io.ordinaut.web;

import java.util.List;

import org.springframework.boot.webmvc.autoconfigure.WebMvcRegistrations;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import tools.jackson.databind.json.JsonMapper;

/**
 * Access control, the Content-Type check of routes that take a body, the Accept check and the body check of
 * bodyless routes for every route, the {@link Caller} parameter for controllers, and route lookup by
 * {@link LiteralPathHandlerMapping}.
 */
@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebMvcConfigurer {

    private final Authenticator authenticator;
    private final RateLimiter rateLimiter;
    private final JsonMapper json;

    WebConfiguration(Authenticator authenticator, RateLimiter rateLimiter, JsonMapper json) {
        this.authenticator = authenticator;
        this.rateLimiter = rateLimiter;
        this.json = json;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new AccessInterceptor(authenticator, rateLimiter)).order(0);
        // 415 before 406, the order in which Spring judged consumes and produces when it chose the route
        registry.addInterceptor(new JsonBodyRouteInterceptor()).order(1);
        registry.addInterceptor(new AcceptInterceptor()).order(2);
        registry.addInterceptor(new BodylessRouteInterceptor(json)).order(3);
    }

    /** Routes are looked up by {@link LiteralPathHandlerMapping}: a wrong method on a literal path is a 405. */
    @Bean
    WebMvcRegistrations literalPathRouting() {
        return new WebMvcRegistrations() {
            @Override
            public RequestMappingHandlerMapping getRequestMappingHandlerMapping() {
                return new LiteralPathHandlerMapping();
            }
        };
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(new CallerArgumentResolver());
    }
}
