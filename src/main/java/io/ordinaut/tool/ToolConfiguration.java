package io.ordinaut.tool;

import java.time.Clock;
import java.time.Duration;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.ordinaut.agent.AgentScopes;
import io.ordinaut.metrics.OrdinautMetrics;

/**
 * The tool layer: the Postgres catalog with its in-memory copy, the router every pipeline step calls
 * through, and agent scopes. {@code ${env:NAME}} in tool headers is read at call time from the Spring
 * {@link Environment}: OS environment variables, or a command-line argument or JVM system property of
 * the same name (which take precedence) — but only names opened by
 * {@code ordinaut.tools.secret-env-prefixes}, so the rest of that environment stays out of reach.
 */
@Configuration(proxyBeanMethods = false)
class ToolConfiguration {

    @Bean
    ToolCatalog toolCatalog(JdbcClient jdbc) {
        return new ToolCatalog(jdbc);
    }

    @Bean
    RefreshToolCatalog refreshToolCatalog(ToolCatalog catalog, ToolProperties properties) {
        return new RefreshToolCatalog(catalog, Duration.ofSeconds(properties.catalogRefreshSeconds()));
    }

    /** Also the {@link ToolInvoker} of the pipeline runner; closed (MCP connections) on shutdown. */
    @Bean
    ToolRouter toolRouter(ToolCatalog catalog, ToolProperties properties, Environment environment, Clock clock,
                          OrdinautMetrics metrics, AgentScopes agentScopes) {
        // granted(): cached per agent, so asking whether a tool's owner is an admin costs no query per call
        return new ToolRouter(catalog::find, ToolRouter.Settings.of(properties, environment::getProperty, clock), metrics,
                new ToolTrust(agentScopes::granted));
    }

    @Bean
    AgentScopes agentScopes(JdbcClient jdbc, Clock clock, ToolProperties properties) {
        return new AgentScopes(jdbc, clock, Duration.ofSeconds(properties.catalogRefreshSeconds()));
    }
}
