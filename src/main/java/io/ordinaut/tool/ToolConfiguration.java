package io.ordinaut.tool;

import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.ordinaut.agent.AgentScopes;
import io.ordinaut.metrics.OrdinautMetrics;

/**
 * The tool layer: the Postgres catalog with its in-memory copy, the router every pipeline step calls
 * through, and agent scopes. {@code ${env:NAME}} in tool headers is read at call time from the Spring
 * {@link Environment}: OS environment variables, or a command-line argument or JVM system property of
 * the same name (which take precedence), as set — a {@code ${…}} inside a value is kept as text — and only names opened by
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
        return new ToolRouter(catalog::find, ToolRouter.Settings.of(properties, asSet(environment), clock), metrics,
                new ToolTrust(agentScopes::granted));
    }

    /**
     * A setting's value exactly as it was set, first source first. {@link Environment#getProperty} would resolve a
     * {@code ${…}} inside the value — a password may well hold one — reaching settings outside the opened prefixes
     * ({@code x-${ORDINAUT_ADMIN_TOKEN}}), or failing with the whole secret in its message, which ended in a run's error.
     */
    static Function<String, String> asSet(Environment environment) {
        if (!(environment instanceof ConfigurableEnvironment configurable)) {
            throw new IllegalStateException("the tool layer reads its secrets from a ConfigurableEnvironment");
        }
        return name -> {
            for (PropertySource<?> source : configurable.getPropertySources()) {
                // Boot's relaxed view of all the others: asked by exact name it only repeats them
                if (ConfigurationPropertySources.isAttachedConfigurationPropertySource(source)) {
                    continue;
                }
                Object value = source.getProperty(name);
                if (value != null) {
                    return value.toString();
                }
            }
            return null;
        };
    }

    @Bean
    AgentScopes agentScopes(JdbcClient jdbc, Clock clock, ToolProperties properties) {
        return new AgentScopes(jdbc, clock, Duration.ofSeconds(properties.catalogRefreshSeconds()));
    }
}
