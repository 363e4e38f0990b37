package io.ordinaut.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.mock.env.MockEnvironment;

import io.ordinaut.support.Nodes;
import io.ordinaut.support.StartupFailure;

/**
 * A setting handed to a library (the pool, Quartz, Lettuce) with a value that cannot work stops the node at
 * start with one line naming the environment variable, the property and what is accepted — Spring Boot's
 * failure report, no stack trace — as the settings of our own properties records do. Each value is given the
 * way an operator gives it, as the variable application.yaml reads.
 */
@ExtendWith(OutputCaptureExtension.class)
class InvalidSettingsTest {

    private static Nodes nodes;

    @BeforeAll
    static void database() {
        nodes = Nodes.onFreshDatabase();
    }

    @AfterAll
    static void close() {
        nodes.close();
    }

    @Test
    void a_pool_too_small_for_the_held_connections_is_refused(CapturedOutput output) {
        refused(output, "ORDINAUT_DB_POOL_SIZE", "1",
                "ORDINAUT_DB_POOL_SIZE (spring.datasource.hikari.maximum-pool-size) is '1'; use a whole number of at least 3");
        refused(output, "ORDINAUT_DB_POOL_SIZE", "many",
                "ORDINAUT_DB_POOL_SIZE (spring.datasource.hikari.maximum-pool-size) is 'many'; use a whole number of at least 3");
    }

    @Test
    void a_connection_timeout_below_hikaris_floor_is_refused(CapturedOutput output) {
        refused(output, "ORDINAUT_DB_CONNECTION_TIMEOUT_MS", "100",
                "ORDINAUT_DB_CONNECTION_TIMEOUT_MS (spring.datasource.hikari.connection-timeout) is '100'; use a whole number of at least 250");
    }

    @Test
    void a_redis_url_that_is_not_one_is_refused_without_showing_its_password(CapturedOutput output) {
        refused(output, "ORDINAUT_REDIS_URL", "notaurl",
                "ORDINAUT_REDIS_URL (ordinaut.events.redis-url) is 'notaurl'; use empty (no Redis) or a Redis URL such as redis://");
        refused(output, "ORDINAUT_REDIS_URL", "http://:s3cret@127.0.0.1:6379",
                "ORDINAUT_REDIS_URL (ordinaut.events.redis-url) is 'http://***@127.0.0.1:6379'");
        assertThat(output.getAll()).doesNotContain("s3cret");
    }

    /** Tokens over 200 characters are never looked up: a longer admin token was taken at start and never worked. */
    @Test
    void an_admin_token_too_short_or_too_long_to_use_is_refused_without_showing_it(CapturedOutput output) {
        String tooLong = "a-very-long-admin-token-".repeat(9);
        // the test nodes set the property itself; here it reads the variable again, as application.yaml does
        Map<String, Object> fromVariable = Map.of(CheckSettings.ADMIN_TOKEN, "${ORDINAUT_ADMIN_TOKEN:}");
        refused(output, "ORDINAUT_ADMIN_TOKEN", tooLong, fromVariable,
                "ORDINAUT_ADMIN_TOKEN (ordinaut.security.admin-token) is 216 characters long; use 16 to 200 characters");
        refused(output, "ORDINAUT_ADMIN_TOKEN", "short-token", fromVariable,
                "ORDINAUT_ADMIN_TOKEN (ordinaut.security.admin-token) is 11 characters long; use 16 to 200 characters");
        assertThat(output.getAll()).doesNotContain(tooLong).doesNotContain("short-token");
        CheckSettings.check(new MockEnvironment().withProperty(CheckSettings.ADMIN_TOKEN, "x".repeat(200)));
        CheckSettings.check(new MockEnvironment().withProperty(CheckSettings.ADMIN_TOKEN, " ".repeat(3)));
    }

    /** The records' own checks and Spring's conversion of their values, reported alike (InvalidSettingReportTest has them all). */
    @Test
    void a_setting_of_ours_out_of_range_or_not_of_its_type_is_refused_in_the_same_one_line(CapturedOutput output) {
        refused(output, "ORDINAUT_EXECUTOR_THREADS", "0",
                "ORDINAUT_EXECUTOR_THREADS (ordinaut.executor.threads) is '0'; use a whole number of at least 1");
        refused(output, "ORDINAUT_EXECUTOR_THREADS", "abc",
                "ORDINAUT_EXECUTOR_THREADS (ordinaut.executor.threads) is 'abc'; use a whole number");
        refused(output, "ordinaut.retention.audit-log", "0d",
                "ORDINAUT_RETENTION_AUDIT_LOG (ordinaut.retention.audit-log) is '0d'; use a duration above zero");
        refused(output, "ORDINAUT_ROLES", "api,bogus",
                "ORDINAUT_ROLES (ordinaut.node.roles) is 'api,bogus'; use a comma-separated list of api, scheduler and executor");
    }

    @Test
    void every_redis_url_lettuce_takes_passes_the_check() {
        for (String url : List.of("redis://127.0.0.1:6379/0", "rediss://:secret@redis.internal:6380", "redis://user:pw@h",
                "redis-sentinel://127.0.0.1:26379,127.0.0.1:26380/0#mymaster", "redis-socket:///tmp/redis.sock", "")) {
            CheckSettings.check(new MockEnvironment().withProperty(CheckSettings.REDIS_URL, url));
        }
    }

    @Test
    void a_negative_misfire_threshold_is_refused(CapturedOutput output) {
        refused(output, "ORDINAUT_MISFIRE_THRESHOLD_MS", "-5",
                "ORDINAUT_MISFIRE_THRESHOLD_MS (spring.quartz.properties.org.quartz.jobStore.misfireThreshold) is '-5'; use a whole number of at least 1");
    }

    @Test
    void a_quartz_idle_wait_that_is_no_number_or_under_a_second_is_refused(CapturedOutput output) {
        refused(output, "ORDINAUT_QUARTZ_IDLE_WAIT_MS", "abc",
                "ORDINAUT_QUARTZ_IDLE_WAIT_MS (spring.quartz.properties.org.quartz.scheduler.idleWaitTime) is 'abc'; use a whole number of at least 1000");
        refused(output, "ORDINAUT_QUARTZ_IDLE_WAIT_MS", "10",
                "ORDINAUT_QUARTZ_IDLE_WAIT_MS (spring.quartz.properties.org.quartz.scheduler.idleWaitTime) is '10'; use a whole number of at least 1000");
    }

    @Test
    void roles_set_to_nothing_are_refused_rather_than_read_as_every_role(CapturedOutput output) {
        refused(output, "ORDINAUT_ROLES", "",
                "ORDINAUT_ROLES (ordinaut.node.roles) is ''; use a comma-separated list of api, scheduler and executor (unset: all three)");
        refused(output, "ORDINAUT_ROLES", " , ",
                "ORDINAUT_ROLES (ordinaut.node.roles) is ' , '; use a comma-separated list of api, scheduler and executor");
        CheckSettings.check(new MockEnvironment().withProperty("ordinaut.node.roles", "executor"));
        CheckSettings.check(new MockEnvironment());
    }

    @Test
    void roles_are_read_in_any_case_and_reported_lowercase(CapturedOutput output) {
        int before = output.getAll().length();
        ConfigurableApplicationContext node = nodes.start("mixed-case-roles", Map.of("ORDINAUT_ROLES", "API, Executor"));
        try {
            assertThat(node.getBean(NodeProperties.class).roles()).containsExactly("api", "executor");
            assertThat(output.getAll().substring(before)).contains("node=mixed-case-roles roles=api,executor");
        } finally {
            nodes.stop(node);
        }
    }

    @Test
    void the_smallest_accepted_pool_serves() {
        ConfigurableApplicationContext node = nodes.start("pool-of-three", Map.of("ORDINAUT_DB_POOL_SIZE", 3));
        try {
            Nodes.api(node).get("/tasks").expect(200);
            Nodes.api(node).get("/health/ready").expect(200);
        } finally {
            nodes.stop(node);
        }
    }

    private static void refused(CapturedOutput output, String variable, String value, String message) {
        refused(output, variable, value, Map.of(), message);
    }

    private static void refused(CapturedOutput output, String variable, String value, Map<String, Object> more, String message) {
        int before = output.getAll().length();
        Map<String, Object> settings = new java.util.HashMap<>(more);
        settings.put(variable, value);
        assertThatThrownBy(() -> nodes.start("bad-setting", settings))
                .as("%s=%s", variable, value).isInstanceOf(Exception.class);
        String report = output.getAll().substring(before);
        assertThat(report).contains("APPLICATION FAILED TO START").contains(message);
        String analysis = StartupFailure.report(report);
        assertThat(analysis.substring(analysis.indexOf("Description:") + "Description:".length()).strip())
                .as("one line for %s=%s", variable, value).doesNotContain("\n");
        // no stack trace, nor the library's own complaint the message replaces
        assertThat(report).as("no stack trace for %s=%s", variable, value).doesNotContain("\tat ").doesNotContain("Caused by:")
                .doesNotContain("NumberFormatException").doesNotContain("URI scheme must not be null")
                .doesNotContain("Connection is not available");
    }
}
