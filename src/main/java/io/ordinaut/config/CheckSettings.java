package io.ordinaut.config;

import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.Ordered;
import org.springframework.core.PriorityOrdered;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import io.lettuce.core.RedisURI;

/**
 * Checks, before any bean is made, the settings handed to libraries rather than bound to one of our
 * properties records (those check themselves in their constructors): the connection pool's, Quartz's and
 * the Redis URL. Left to the libraries, a bad value surfaced as a stack trace far from its cause — a pool of
 * one hung 30 s and then failed on "Connection is not available", Quartz threw NumberFormatException, Lettuce
 * "URI scheme must not be null". Here each stops the node with one line naming the variable, the property and
 * what is accepted ({@link InvalidSettingFailureAnalyzer}).
 */
@Component
class CheckSettings implements BeanFactoryPostProcessor, EnvironmentAware, PriorityOrdered {

    static final String POOL_SIZE = "spring.datasource.hikari.maximum-pool-size";
    static final String CONNECTION_TIMEOUT = "spring.datasource.hikari.connection-timeout";
    static final String MISFIRE_THRESHOLD = "spring.quartz.properties.org.quartz.jobStore.misfireThreshold";
    static final String IDLE_WAIT = "spring.quartz.properties.org.quartz.scheduler.idleWaitTime";
    static final String REDIS_URL = "ordinaut.events.redis-url";
    static final String ROLES = "ordinaut.node.roles";
    static final String ADMIN_TOKEN = "ordinaut.security.admin-token";

    /**
     * An executor node holds two connections for good — the queue listener's LISTEN and the claim loop's —
     * and the rest of the node (Quartz, the API, result writes, the heartbeat) needs at least one more.
     */
    static final int MIN_POOL_SIZE = 3;
    /** HikariCP refuses less (and would fail with a stack trace). */
    static final int MIN_CONNECTION_TIMEOUT_MS = 250;
    /** Quartz refuses an idle wait under a second. */
    static final int MIN_IDLE_WAIT_MS = 1000;

    private Environment environment;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        check(environment);
    }

    static void check(Environment environment) {
        atLeast(environment, POOL_SIZE, "ORDINAUT_DB_POOL_SIZE", MIN_POOL_SIZE,
                " (an executor node keeps one connection on LISTEN and one for its claim loop, and needs one more for the rest)");
        atLeast(environment, CONNECTION_TIMEOUT, "ORDINAUT_DB_CONNECTION_TIMEOUT_MS", MIN_CONNECTION_TIMEOUT_MS, "");
        atLeast(environment, MISFIRE_THRESHOLD, "ORDINAUT_MISFIRE_THRESHOLD_MS", 1, "");
        atLeast(environment, IDLE_WAIT, "ORDINAUT_QUARTZ_IDLE_WAIT_MS", MIN_IDLE_WAIT_MS, "");
        redisUrl(environment.getProperty(REDIS_URL));
        roles(environment.getProperty(ROLES));
        adminToken(environment.getProperty(ADMIN_TOKEN));
    }

    /**
     * A bearer token is looked up only up to {@link SecurityProperties#MAX_ADMIN_TOKEN} characters (a longer one is
     * refused before it is hashed), so a longer admin token would be stored and never accepted. The message gives
     * the length, never the token.
     */
    static void adminToken(String raw) {
        String value = raw == null ? "" : raw.trim();
        if (!value.isEmpty() && (value.length() < SecurityProperties.MIN_ADMIN_TOKEN || value.length() > SecurityProperties.MAX_ADMIN_TOKEN)) {
            throw new InvalidSettingException(ADMIN_TOKEN, "ORDINAUT_ADMIN_TOKEN", "ORDINAUT_ADMIN_TOKEN (" + ADMIN_TOKEN + ") is "
                    + value.length() + " characters long; use " + SecurityProperties.MIN_ADMIN_TOKEN + " to "
                    + SecurityProperties.MAX_ADMIN_TOKEN + " characters (unset: one is generated)");
        }
    }

    /**
     * Unset, application.yaml gives every role; set but empty (ORDINAUT_ROLES=) would bind to an empty list, which
     * reads as the default too — a node meant to do little that silently does everything.
     */
    private static void roles(String raw) {
        if (raw != null && raw.replace(",", "").isBlank()) {
            throw invalid(ROLES, "ORDINAUT_ROLES", raw, NodeProperties.ACCEPTED_ROLES);
        }
    }

    private static void atLeast(Environment environment, String property, String variable, long minimum, String why) {
        String raw = environment.getProperty(property);
        if (raw == null || raw.isBlank()) {
            return; // the library's default
        }
        long value;
        try {
            value = Long.parseLong(raw.strip());
        } catch (NumberFormatException e) {
            throw invalid(property, variable, raw, "a whole number of at least " + minimum + why);
        }
        if (value < minimum || value > Integer.MAX_VALUE) {
            throw invalid(property, variable, raw, "a whole number of at least " + minimum + why);
        }
    }

    private static void redisUrl(String raw) {
        String value = raw == null ? "" : raw.strip();
        if (value.isEmpty()) {
            return; // no Redis: events work from PostgreSQL alone
        }
        String accepted = "empty (no Redis) or a Redis URL such as redis://[user:password@]host[:port][/database]"
                + " (rediss:// for TLS, redis-sentinel://, redis-socket://)";
        // Parsed as the event relay will parse it (RedisStreams), so whatever Lettuce takes passes here too —
        // sentinel lists and socket paths included — and what it would throw on stops the node here instead.
        try {
            RedisURI uri = RedisURI.create(value);
            if (uri.getSocket() == null && uri.getSentinels().isEmpty() && (uri.getHost() == null || uri.getHost().isBlank())) {
                throw new IllegalArgumentException("no host");
            }
        } catch (RuntimeException e) {
            // a Redis URL may carry a password: the message shows everything but that
            throw invalid(REDIS_URL, "ORDINAUT_REDIS_URL", Setting.masked(value), accepted);
        }
    }

    private static InvalidSettingException invalid(String property, String variable, String value, String accepted) {
        return new InvalidSettingException(property, variable,
                variable + " (" + property + ") is '" + value + "'; use " + accepted);
    }
}
