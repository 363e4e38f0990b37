package io.ordinaut.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import io.ordinaut.audit.RetentionProperties;
import io.ordinaut.event.EventProperties;
import io.ordinaut.metrics.MetricsProperties;
import io.ordinaut.pipeline.PipelineProperties;
import io.ordinaut.queue.ExecutorProperties;
import io.ordinaut.queue.RunProperties;
import io.ordinaut.support.StartupFailure;
import io.ordinaut.task.TaskProperties;
import io.ordinaut.tool.ToolProperties;
import io.ordinaut.trigger.TriggerProperties;

/**
 * Every ordinaut.* setting given a value it cannot take — out of range, not of its type (a number, a duration,
 * true or false), not one of its words — stops the node with Spring Boot's failure report whose description is
 * one line: the variable, the property, the value as given (credentials masked) and what is accepted; not Spring's
 * several-line bind report. Each value is given as an operator gives it, through application.yaml's variable
 * where it reads one. The node here is only the settings (every properties record and CheckSettings), so each case
 * starts in a moment; InvalidSettingsTest starts whole nodes.
 */
@ExtendWith(OutputCaptureExtension.class)
class InvalidSettingReportTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({NodeProperties.class, SecurityProperties.class, TaskProperties.class, MetricsProperties.class,
            EventProperties.class, PipelineProperties.class, RetentionProperties.class, RunProperties.class, ExecutorProperties.class,
            TriggerProperties.class, ToolProperties.class})
    @Import(CheckSettings.class)
    static class SettingsOnly {
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            ORDINAUT_ROLES=bogus                           | ORDINAUT_ROLES (ordinaut.node.roles) is 'bogus'; use a comma-separated list of api, scheduler and executor (unset: all three)
            ORDINAUT_ROLES=api,,executor                   | ORDINAUT_ROLES (ordinaut.node.roles) is 'api,,executor'; use a comma-separated list of api, scheduler and executor (unset: all three)
            ORDINAUT_ROLES=                                | ORDINAUT_ROLES (ordinaut.node.roles) is ''; use a comma-separated list of api, scheduler and executor (unset: all three)
            ORDINAUT_PUBLIC_URL=ftp://ordinaut.example.com | ORDINAUT_PUBLIC_URL (ordinaut.node.public-url) is 'ftp://ordinaut.example.com'; use an http or https URL with a host and optionally a path, without credentials, query or fragment, such as https://ordinaut.example.com (unset: taken from each request)
            ORDINAUT_PUBLIC_URL=https://u:s3cret@h/?x=1    | ORDINAUT_PUBLIC_URL (ordinaut.node.public-url) is 'https://***@h/?x=1'; use an http or https URL with a host and optionally a path, without credentials, query or fragment, such as https://ordinaut.example.com (unset: taken from each request)
            ORDINAUT_PUBLIC_URL=https://a b                | ORDINAUT_PUBLIC_URL (ordinaut.node.public-url) is 'https://a b'; use an http or https URL with a host and optionally a path, without credentials, query or fragment, such as https://ordinaut.example.com (unset: taken from each request)
            ORDINAUT_EXECUTOR_THREADS=0                    | ORDINAUT_EXECUTOR_THREADS (ordinaut.executor.threads) is '0'; use a whole number of at least 1
            ORDINAUT_EXECUTOR_THREADS=abc                  | ORDINAUT_EXECUTOR_THREADS (ordinaut.executor.threads) is 'abc'; use a whole number
            ordinaut.executor.threads=99999999999          | ORDINAUT_EXECUTOR_THREADS (ordinaut.executor.threads) is '99999999999'; use a whole number
            ordinaut.executor.lease-seconds=0              | ORDINAUT_EXECUTOR_LEASE_SECONDS (ordinaut.executor.lease-seconds) is '0'; use a whole number of at least 1
            ordinaut.executor.claim-batch-size=0           | ORDINAUT_EXECUTOR_CLAIM_BATCH_SIZE (ordinaut.executor.claim-batch-size) is '0'; use a whole number of at least 1
            ordinaut.executor.poll-interval-ms=x           | ORDINAUT_EXECUTOR_POLL_INTERVAL_MS (ordinaut.executor.poll-interval-ms) is 'x'; use a whole number
            ordinaut.executor.flush-interval-ms=0          | ORDINAUT_EXECUTOR_FLUSH_INTERVAL_MS (ordinaut.executor.flush-interval-ms) is '0'; use a whole number of at least 1
            ordinaut.executor.flush-batch-size=0           | ORDINAUT_EXECUTOR_FLUSH_BATCH_SIZE (ordinaut.executor.flush-batch-size) is '0'; use a whole number of at least 1
            ordinaut.executor.shutdown-grace-seconds=-1    | ORDINAUT_EXECUTOR_SHUTDOWN_GRACE_SECONDS (ordinaut.executor.shutdown-grace-seconds) is '-1'; use a whole number of at least 0
            ordinaut.executor.heartbeat-interval-ms=50     | ORDINAUT_EXECUTOR_HEARTBEAT_INTERVAL_MS (ordinaut.executor.heartbeat-interval-ms) is '50'; use a whole number of at least 100
            ordinaut.executor.reap-interval-ms=5           | ORDINAUT_EXECUTOR_REAP_INTERVAL_MS (ordinaut.executor.reap-interval-ms) is '5'; use a whole number of at least 10
            ORDINAUT_TRIGGER_MODE=bogus                    | ORDINAUT_TRIGGER_MODE (ordinaut.trigger.mode) is 'bogus'; use windows or per-schedule
            ORDINAUT_TRIGGER_GROUPS=0                      | ORDINAUT_TRIGGER_GROUPS (ordinaut.trigger.groups) is '0'; use a whole number from 1 to 1024
            ORDINAUT_TRIGGER_GROUPS=2000                   | ORDINAUT_TRIGGER_GROUPS (ordinaut.trigger.groups) is '2000'; use a whole number from 1 to 1024
            ORDINAUT_TRIGGER_WINDOW=50ms                   | ORDINAUT_TRIGGER_WINDOW (ordinaut.trigger.window) is '50ms'; use a duration of at least 100ms such as 500ms, 30s, 5m, 2h or 7d
            ORDINAUT_TRIGGER_WINDOW=soon                   | ORDINAUT_TRIGGER_WINDOW (ordinaut.trigger.window) is 'soon'; use a duration such as 500ms, 30s, 5m, 2h or 7d
            ORDINAUT_TRIGGER_HORIZON=1s                    | ORDINAUT_TRIGGER_HORIZON (ordinaut.trigger.horizon) is '1s'; use a duration of at least ordinaut.trigger.window (5s)
            ORDINAUT_TRIGGER_OUTAGE_THRESHOLD=-1s          | ORDINAUT_TRIGGER_OUTAGE_THRESHOLD (ordinaut.trigger.outage-threshold) is '-1s'; use a duration of at least 0s such as 500ms, 30s, 5m, 2h or 7d
            ordinaut.trigger.batch-size=0                  | ORDINAUT_TRIGGER_BATCH_SIZE (ordinaut.trigger.batch-size) is '0'; use a whole number of at least 1
            ORDINAUT_MAX_OPEN_TASKS_PER_AGENT=-1           | ORDINAUT_MAX_OPEN_TASKS_PER_AGENT (ordinaut.tasks.max-open-per-agent) is '-1'; use a whole number of at least 0 (0: no cap)
            ordinaut.tasks.max-payload-bytes=100           | ORDINAUT_TASKS_MAX_PAYLOAD_BYTES (ordinaut.tasks.max-payload-bytes) is '100'; use a whole number of at least 1024
            ordinaut.retention.audit-log=abc               | ORDINAUT_RETENTION_AUDIT_LOG (ordinaut.retention.audit-log) is 'abc'; use a duration such as 500ms, 30s, 5m, 2h or 7d
            ordinaut.retention.tokens=0d                   | ORDINAUT_RETENTION_TOKENS (ordinaut.retention.tokens) is '0d'; use a duration above zero such as 500ms, 30s, 5m, 2h or 7d
            ordinaut.retention.missed-occurrences=-1d      | ORDINAUT_RETENTION_MISSED_OCCURRENCES (ordinaut.retention.missed-occurrences) is '-1d'; use a duration above zero such as 500ms, 30s, 5m, 2h or 7d
            ordinaut.retention.interval=0s                 | ORDINAUT_RETENTION_INTERVAL (ordinaut.retention.interval) is '0s'; use a duration above zero such as 500ms, 30s, 5m, 2h or 7d
            ordinaut.retention.batch-size=0                | ORDINAUT_RETENTION_BATCH_SIZE (ordinaut.retention.batch-size) is '0'; use a whole number of at least 1
            ordinaut.runs.retry-base=0s                    | ORDINAUT_RUNS_RETRY_BASE (ordinaut.runs.retry-base) is '0s'; use a duration above zero such as 500ms, 30s, 5m, 2h or 7d
            ordinaut.runs.retry-cap=1s                     | ORDINAUT_RUNS_RETRY_CAP (ordinaut.runs.retry-cap) is '1s'; use a duration of at least ordinaut.runs.retry-base (5s)
            ordinaut.runs.default-run-timeout=0s           | ORDINAUT_RUNS_DEFAULT_RUN_TIMEOUT (ordinaut.runs.default-run-timeout) is '0s'; use a duration above zero such as 500ms, 30s, 5m, 2h or 7d
            ordinaut.runs.priority-aging=later             | ORDINAUT_RUNS_PRIORITY_AGING (ordinaut.runs.priority-aging) is 'later'; use a duration such as 500ms, 30s, 5m, 2h or 7d
            ordinaut.runs.retention=0d                     | ORDINAUT_RUNS_RETENTION (ordinaut.runs.retention) is '0d'; use a duration above zero such as 500ms, 30s, 5m, 2h or 7d
            ordinaut.runs.prune-interval=0s                | ORDINAUT_RUNS_PRUNE_INTERVAL (ordinaut.runs.prune-interval) is '0s'; use a duration above zero such as 500ms, 30s, 5m, 2h or 7d
            ordinaut.runs.prune-batch-size=0               | ORDINAUT_RUNS_PRUNE_BATCH_SIZE (ordinaut.runs.prune-batch-size) is '0'; use a whole number of at least 1
            ORDINAUT_REDIS_URL=notaurl                     | ORDINAUT_REDIS_URL (ordinaut.events.redis-url) is 'notaurl'; use empty (no Redis) or a Redis URL such as redis://[user:password@]host[:port][/database] (rediss:// for TLS, redis-sentinel://, redis-socket://)
            ordinaut.events.max-payload-bytes=0            | ORDINAUT_EVENTS_MAX_PAYLOAD_BYTES (ordinaut.events.max-payload-bytes) is '0'; use a whole number of at least 1
            ordinaut.events.stream-max-length=0            | ORDINAUT_EVENTS_STREAM_MAX_LENGTH (ordinaut.events.stream-max-length) is '0'; use a whole number of at least 1
            ordinaut.events.relay-interval=0ms             | ORDINAUT_EVENTS_RELAY_INTERVAL (ordinaut.events.relay-interval) is '0ms'; use a duration above zero such as 500ms, 30s, 5m, 2h or 7d
            ordinaut.events.relay-batch=0                  | ORDINAUT_EVENTS_RELAY_BATCH (ordinaut.events.relay-batch) is '0'; use a whole number of at least 1
            ordinaut.events.retention=0s                   | ORDINAUT_EVENTS_RETENTION (ordinaut.events.retention) is '0s'; use a duration above zero such as 500ms, 30s, 5m, 2h or 7d
            ordinaut.events.inbound-claim-idle=0s          | ORDINAUT_EVENTS_INBOUND_CLAIM_IDLE (ordinaut.events.inbound-claim-idle) is '0s'; use a duration above zero such as 500ms, 30s, 5m, 2h or 7d
            ordinaut.events.sse-keep-alive=0s              | ORDINAUT_EVENTS_SSE_KEEP_ALIVE (ordinaut.events.sse-keep-alive) is '0s'; use a duration above zero such as 500ms, 30s, 5m, 2h or 7d
            ordinaut.events.webhook-retry-for=0s           | ORDINAUT_EVENTS_WEBHOOK_RETRY_FOR (ordinaut.events.webhook-retry-for) is '0s'; use a duration above zero such as 500ms, 30s, 5m, 2h or 7d
            ordinaut.events.webhook-timeout=abc            | ORDINAUT_EVENTS_WEBHOOK_TIMEOUT (ordinaut.events.webhook-timeout) is 'abc'; use a duration such as 500ms, 30s, 5m, 2h or 7d
            ordinaut.events.redis-health-timeout=0s        | ORDINAUT_EVENTS_REDIS_HEALTH_TIMEOUT (ordinaut.events.redis-health-timeout) is '0s'; use a duration above zero such as 500ms, 30s, 5m, 2h or 7d
            ordinaut.events.sse-max-streams-per-agent=0    | ORDINAUT_EVENTS_SSE_MAX_STREAMS_PER_AGENT (ordinaut.events.sse-max-streams-per-agent) is '0'; use a whole number of at least 1
            ordinaut.events.redis-command-timeout=100ms    | ORDINAUT_EVENTS_REDIS_COMMAND_TIMEOUT (ordinaut.events.redis-command-timeout) is '100ms'; use a duration of at least 200ms such as 500ms, 30s, 5m, 2h or 7d
            ordinaut.pipeline.max-depth=0                  | ORDINAUT_PIPELINE_MAX_DEPTH (ordinaut.pipeline.max-depth) is '0'; use a whole number from 1 to 256
            ordinaut.pipeline.max-argument-bytes=10        | ORDINAUT_PIPELINE_MAX_ARGUMENT_BYTES (ordinaut.pipeline.max-argument-bytes) is '10'; use a whole number from 1024 to 268435456
            ordinaut.pipeline.max-step-output-bytes=1e9    | ORDINAUT_PIPELINE_MAX_STEP_OUTPUT_BYTES (ordinaut.pipeline.max-step-output-bytes) is '1e9'; use a whole number
            ordinaut.pipeline.max-run-output-bytes=2048    | ORDINAUT_PIPELINE_MAX_RUN_OUTPUT_BYTES (ordinaut.pipeline.max-run-output-bytes) is '2048'; use a whole number of at least ordinaut.pipeline.max-step-output-bytes (4194304) and at most 268435456
            ordinaut.tools.reject-unknown-tools=maybe      | ORDINAUT_TOOLS_REJECT_UNKNOWN_TOOLS (ordinaut.tools.reject-unknown-tools) is 'maybe'; use true or false
            ordinaut.tools.allow-loopback=maybe            | ORDINAUT_TOOLS_ALLOW_LOOPBACK (ordinaut.tools.allow-loopback) is 'maybe'; use true or false
            ordinaut.tools.allowed-cidrs=10.0.0.0/8,nope   | ORDINAUT_TOOLS_ALLOWED_CIDRS (ordinaut.tools.allowed-cidrs) is '10.0.0.0/8,nope'; use comma-separated CIDR blocks such as 10.0.0.0/8 or fd00::/8 ('nope' is not one)
            ordinaut.tools.denied-cidrs=10.0.0.0/99        | ORDINAUT_TOOLS_DENIED_CIDRS (ordinaut.tools.denied-cidrs) is '10.0.0.0/99'; use comma-separated CIDR blocks such as 10.0.0.0/8 or fd00::/8 ('10.0.0.0/99' is not one)
            ordinaut.tools.secret-env-prefixes=AB          | ORDINAUT_TOOLS_SECRET_ENV_PREFIXES (ordinaut.tools.secret-env-prefixes) is 'AB'; use comma-separated prefixes of 4 to 100 letters, digits or '_', each starting with a letter, such as ORDINAUT_TOOL_ ('AB' is not one)
            ordinaut.tools.secret-env-prefixes=ORDINAUT_DB_ | ORDINAUT_TOOLS_SECRET_ENV_PREFIXES (ordinaut.tools.secret-env-prefixes) is 'ORDINAUT_DB_'; use prefixes of your tools' own variables, such as ORDINAUT_TOOL_ ('ORDINAUT_DB_' would open the node's own ORDINAUT_DB_* to tools)
            ordinaut.tools.max-response-bytes=10           | ORDINAUT_TOOLS_MAX_RESPONSE_BYTES (ordinaut.tools.max-response-bytes) is '10'; use a whole number from 1024 to 536870912
            ordinaut.tools.catalog-refresh-seconds=0       | ORDINAUT_TOOLS_CATALOG_REFRESH_SECONDS (ordinaut.tools.catalog-refresh-seconds) is '0'; use a whole number from 1 to 3600
            ordinaut.tools.mcp-max-connections=0           | ORDINAUT_TOOLS_MCP_MAX_CONNECTIONS (ordinaut.tools.mcp-max-connections) is '0'; use a whole number from 1 to 10000
            ordinaut.tools.mcp-idle-seconds=0              | ORDINAUT_TOOLS_MCP_IDLE_SECONDS (ordinaut.tools.mcp-idle-seconds) is '0'; use a whole number from 1 to 86400
            ORDINAUT_TRUSTED_PROXIES=10.0.0.1,nope         | ORDINAUT_TRUSTED_PROXIES (ordinaut.security.trusted-proxies) is '10.0.0.1,nope'; use comma-separated IP addresses or CIDR blocks such as 10.0.0.5 or 10.0.0.0/8 ('nope' is neither)
            ordinaut.security.access-token-ttl-seconds=0   | ORDINAUT_SECURITY_ACCESS_TOKEN_TTL_SECONDS (ordinaut.security.access-token-ttl-seconds) is '0'; use a whole number of at least 1
            ordinaut.security.refresh-token-ttl-seconds=0  | ORDINAUT_SECURITY_REFRESH_TOKEN_TTL_SECONDS (ordinaut.security.refresh-token-ttl-seconds) is '0'; use a whole number of at least 1
            ordinaut.security.burst-per-second=0           | ORDINAUT_SECURITY_BURST_PER_SECOND (ordinaut.security.burst-per-second) is '0'; use a whole number of at least 1
            ordinaut.security.default-calls-per-hour=0     | ORDINAUT_SECURITY_DEFAULT_CALLS_PER_HOUR (ordinaut.security.default-calls-per-hour) is '0'; use a whole number of at least 1
            ordinaut.security.max-body-bytes=10            | ORDINAUT_SECURITY_MAX_BODY_BYTES (ordinaut.security.max-body-bytes) is '10'; use a whole number of at least 1024
            ordinaut.security.lockout-threshold=abc        | ORDINAUT_SECURITY_LOCKOUT_THRESHOLD (ordinaut.security.lockout-threshold) is 'abc'; use a whole number
            ordinaut.security.lockout-seconds=0            | ORDINAUT_SECURITY_LOCKOUT_SECONDS (ordinaut.security.lockout-seconds) is '0'; use a whole number of at least 1
            ordinaut.security.unauthenticated-per-minute=0 | ORDINAUT_SECURITY_UNAUTHENTICATED_PER_MINUTE (ordinaut.security.unauthenticated-per-minute) is '0'; use a whole number of at least 1
            ordinaut.security.unauthenticated-burst=0      | ORDINAUT_SECURITY_UNAUTHENTICATED_BURST (ordinaut.security.unauthenticated-burst) is '0'; use a whole number of at least 1
            ORDINAUT_ADMIN_TOKEN=short-token               | ORDINAUT_ADMIN_TOKEN (ordinaut.security.admin-token) is 11 characters long; use 16 to 200 characters (unset: one is generated)
            ordinaut.metrics.sample-interval=1ms           | ORDINAUT_METRICS_SAMPLE_INTERVAL (ordinaut.metrics.sample-interval) is '1ms'; use a duration of at least 100ms such as 500ms, 30s, 5m, 2h or 7d
            ORDINAUT_DB_POOL_SIZE=1                        | ORDINAUT_DB_POOL_SIZE (spring.datasource.hikari.maximum-pool-size) is '1'; use a whole number of at least 3 (an executor node keeps one connection on LISTEN and one for its claim loop, and needs one more for the rest)
            ORDINAUT_QUARTZ_IDLE_WAIT_MS=abc               | ORDINAUT_QUARTZ_IDLE_WAIT_MS (spring.quartz.properties.org.quartz.scheduler.idleWaitTime) is 'abc'; use a whole number of at least 1000
            """)
    void a_setting_it_cannot_take_stops_the_node_with_one_line_naming_it(String setting, String line, CapturedOutput output) {
        int before = output.getAll().length();

        assertThatThrownBy(() -> new SpringApplicationBuilder(SettingsOnly.class).web(WebApplicationType.NONE).run("--" + setting).close())
                .as(setting).isInstanceOf(Exception.class);

        String report = StartupFailure.report(output.getAll().substring(before));
        String description = report.substring(report.indexOf("Description:") + "Description:".length()).strip();
        assertThat(description).isEqualTo(line);
        assertThat(report).doesNotContain("\tat ").doesNotContain("Caused by:").doesNotContain("s3cret");
    }
}
