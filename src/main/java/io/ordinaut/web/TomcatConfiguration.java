package io.ordinaut.web;

import java.time.Clock;

import org.apache.catalina.core.StandardHost;
import org.apache.tomcat.util.buf.EncodedSolidusHandling;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Configuration;

import tools.jackson.databind.json.JsonMapper;

/**
 * What the web layer needs of Tomcat itself: errors Tomcat answers on its own are the one error JSON
 * ({@link JsonErrorReportValve}), and {@code %2F} may stand inside one path segment.
 */
@Configuration(proxyBeanMethods = false)
class TomcatConfiguration implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    private final JsonMapper json;
    private final Clock clock;

    TomcatConfiguration(JsonMapper json, Clock clock) {
        this.json = json;
        this.clock = clock;
    }

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        // event_id may contain '/', so GET /events/shop%2Fo-17 must reach the route with the slash still
        // encoded: PathPattern then matches it as part of {id}. Tomcat's default refuses %2F with its HTML 400
        // ("decode" would turn it into a separator, i.e. /events/shop/o-17, a route that does not exist).
        // Filters that judge paths decode them themselves (ActuatorAccessFilter), or match on the raw URI.
        factory.addConnectorCustomizers(connector -> connector.setEncodedSolidusHandling(EncodedSolidusHandling.PASS_THROUGH.getValue()));
        // The host is this context's parent by now (Spring Boot adds the context before customising it) and
        // starts later: it adds an error valve only when none of the configured class is in its pipeline.
        factory.addContextCustomizers(context -> {
            StandardHost host = (StandardHost) context.getParent();
            host.setErrorReportValveClass(JsonErrorReportValve.class.getName());
            host.getPipeline().addValve(new JsonErrorReportValve(json, clock));
        });
    }
}
