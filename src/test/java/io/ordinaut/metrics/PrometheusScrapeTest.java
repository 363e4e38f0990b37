package io.ordinaut.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import io.ordinaut.support.Api;
import io.ordinaut.support.Api.Response;
import io.ordinaut.support.Eventually;
import io.ordinaut.support.NodeTestSupport;

/**
 * /actuator/prometheus: admins only, and after some work every metric of docs/operations.md is there
 * with values that follow from that work.
 */
@TestPropertySource(properties = {
        "ordinaut.metrics.sample-interval=200ms",
        // A short lease, so that a lease left by a dead node is reclaimed within the test.
        "ordinaut.executor.lease-seconds=3",
        "ordinaut.security.burst-per-second=3",
        // The unauthenticated flood below comes from its own (forwarded) address, not the test's.
        "ordinaut.security.trusted-proxies=127.0.0.1",
        "ordinaut.security.unauthenticated-burst=5",
        "ordinaut.security.unauthenticated-per-minute=1"})
class PrometheusScrapeTest extends NodeTestSupport {

    private static final int RUN_NOW = 5;
    private static final int SCHEDULED = 3;

    @Test
    void only_an_admin_token_can_scrape() {
        Response anonymous = api.as(null).get("/actuator/prometheus");
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.get("error")).isEqualTo("Unauthorized");
        assertThat(anonymous.body()).doesNotContain("ordinaut_");
        assertThat(api.as("ord_at_forged").get("/actuator/prometheus").status()).isEqualTo(401);

        Response agent = api.as(agentToken("tasks:read", "runs:read")).get("/actuator/prometheus");
        assertThat(agent.status()).isEqualTo(403);
        assertThat(agent.get("error")).isEqualTo("Forbidden");
        assertThat(agent.body()).doesNotContain("ordinaut_");

        Response admin = api.get("/actuator/prometheus").expect(200);
        assertThat(admin.header("Content-Type")).startsWith("text/plain");
        assertThat(admin.body()).contains("ordinaut_runs_total");
    }

    @Test
    void a_scrape_after_some_runs_shows_every_metric_with_values_that_follow_from_them() throws Exception {
        // given a registered tool, tasks run now and a task firing every second
        api.post("/tools", Map.of("address", "metrics.echo", "transport", "simulate", "input_schema", Map.of("type", "object",
                "required", List.of("text"), "properties", Map.of("text", Map.of("type", "string"))))).expect(201);
        String echo = task("echo", "0 3 1 1 *", "cron", Map.of("text", "hi"));
        // a number where the schema wants text, known only when run (a literal 42 is refused at creation)
        String bad = task("bad input", "0 3 1 1 *", "cron", Map.of("text", "${run.attempt}"));
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < RUN_NOW; i++) {
            runs.add(runNow(echo));
        }
        runs.add(runNow(bad));
        runs.forEach(api::awaitFinished);
        String secondly = task("secondly", "FREQ=SECONDLY", "rrule", Map.of("text", "tick"));
        Eventually.until("scheduled runs", () -> succeeded(secondly) >= SCHEDULED);
        api.post("/tasks/" + secondly + "/pause", Map.of()).expect(200);

        // and a lease left behind by a node that died, rate-limited agents and addresses
        jdbc.sql("""
                INSERT INTO due_work (id, task_id, scheduled_for, run_at, queue_order, priority, trigger, overlap_policy,
                                      locked_by, lease_token, locked_until, started_at)
                SELECT gen_random_uuid(), id, now() - interval '1 hour', now() - interval '1 hour', now() - interval '1 hour',
                       priority, 'run_now', overlap_policy, 'ghost-node', gen_random_uuid(), now() - interval '1 minute',
                       now() - interval '1 hour'
                  FROM task WHERE id = :task
                """).param("task", UUID.fromString(echo)).update();
        Api limited = api.as(agentToken("tasks:read"));
        int refused = 0;
        for (int i = 0; i < 12; i++) {
            refused += limited.get("/tasks").status() == 429 ? 1 : 0;
        }
        assertThat(refused).as("requests over the per-second burst").isPositive();
        HttpClient http = HttpClient.newHttpClient();
        int floodRefused = 0;
        for (int i = 0; i < 12; i++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/tasks"))
                    .header("Authorization", "Bearer ord_at_forged").header("X-Forwarded-For", "203.0.113.9").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            floodRefused += r.statusCode() == 429 ? 1 : 0;
        }
        assertThat(floodRefused).as("unauthenticated requests over the address's burst").isPositive();

        // when scraped (after the reaper took the lease back and the gauges were sampled)
        Scrape scrape = Eventually.until("a scrape with the reclaimed lease and the cluster sampled", this::scrape,
                s -> s.sum("ordinaut_leases_reclaimed_total") >= 1 && s.sum("ordinaut_quartz_cluster_size") >= 1
                        && s.sum("ordinaut_cluster_nodes", "state", "running") >= 1);

        // then the figures follow from what happened
        assertThat(scrape.sum("ordinaut_runs_total", "outcome", "succeeded", "trigger", "run_now")).isGreaterThanOrEqualTo(RUN_NOW);
        assertThat(scrape.sum("ordinaut_runs_total", "outcome", "failed", "trigger", "run_now")).isGreaterThanOrEqualTo(1);
        assertThat(scrape.sum("ordinaut_runs_total", "outcome", "succeeded", "trigger", "schedule")).isGreaterThanOrEqualTo(SCHEDULED);
        assertThat(scrape.sum("ordinaut_runs_total", "outcome", "dead")).isZero();

        double lagCount = scrape.sum("ordinaut_fire_lag_seconds_count", "trigger", "schedule");
        assertThat(lagCount).isGreaterThanOrEqualTo(SCHEDULED);
        assertThat(scrape.sum("ordinaut_fire_lag_seconds_sum", "trigger", "schedule") / lagCount).as("mean lag, s").isLessThan(5);
        assertThat(scrape.sum("ordinaut_fire_lag_seconds_bucket", "trigger", "schedule", "le", "+Inf")).isEqualTo(lagCount);
        assertThat(scrape.sum("ordinaut_fire_lag_seconds_count", "trigger", "run_now")).isGreaterThanOrEqualTo(RUN_NOW + 1);

        assertThat(scrape.sum("ordinaut_run_duration_seconds_count", "outcome", "succeeded")).isGreaterThanOrEqualTo(RUN_NOW + SCHEDULED);
        assertThat(scrape.sum("ordinaut_run_duration_seconds_count", "outcome", "failed")).isGreaterThanOrEqualTo(1);
        assertThat(scrape.sum("ordinaut_step_duration_seconds_count", "outcome", "ok")).isGreaterThanOrEqualTo(RUN_NOW + SCHEDULED);
        assertThat(scrape.sum("ordinaut_step_duration_seconds_count", "outcome", "failed")).isGreaterThanOrEqualTo(1);

        assertThat(scrape.sum("ordinaut_tool_calls_total", "tool", "metrics.echo", "transport", "simulate", "outcome", "success"))
                .isGreaterThanOrEqualTo(RUN_NOW + SCHEDULED);
        assertThat(scrape.sum("ordinaut_tool_calls_total", "tool", "metrics.echo", "outcome", "error")).isGreaterThanOrEqualTo(1);
        assertThat(scrape.text()).doesNotContain(echo).doesNotContain(secondly).doesNotContain(runs.get(0));

        assertThat(scrape.sum("ordinaut_enqueue_batch_size_count", "source", "now")).isGreaterThanOrEqualTo(RUN_NOW + 1);
        assertThat(scrape.sum("ordinaut_enqueue_batch_size_sum", "source", "now")).isGreaterThanOrEqualTo(RUN_NOW + 1);
        // scheduled occurrences are enqueued by fires, or — those inside the horizon when a task is created — by its join
        assertThat(scrape.sum("ordinaut_enqueue_batch_size_sum", "source", "schedule")
                + scrape.sum("ordinaut_enqueue_batch_size_sum", "source", "window")
                + scrape.sum("ordinaut_enqueue_batch_size_sum", "source", "task_join")).isGreaterThanOrEqualTo(SCHEDULED);
        assertThat(scrape.sum("ordinaut_claim_batch_size_sum")).isGreaterThanOrEqualTo(RUN_NOW + 1 + SCHEDULED);
        assertThat(scrape.sum("ordinaut_claim_batch_size_count")).isBetween(1.0, scrape.sum("ordinaut_claim_batch_size_sum"));
        assertThat(scrape.sum("ordinaut_quartz_fires_total")).isGreaterThanOrEqualTo(1);
        // every claim is timed, those that took nothing too; every written batch of ended runs is a finish
        double claims = scrape.sum("ordinaut_queue_statement_duration_seconds_count", "statement", "claim");
        assertThat(claims).isGreaterThanOrEqualTo(scrape.sum("ordinaut_claim_batch_size_count"));
        assertThat(scrape.sum("ordinaut_queue_statement_duration_seconds_bucket", "statement", "claim", "le", "+Inf")).isEqualTo(claims);
        // each finish writes at least one attempt, and each written attempt is counted in ordinaut_runs_total
        assertThat(scrape.sum("ordinaut_queue_statement_duration_seconds_count", "statement", "finish"))
                .isBetween(1.0, scrape.sum("ordinaut_runs_total"));
        assertThat(scrape.text()).containsPattern("ordinaut_queue_statement_duration_seconds_count\\{[^}]*statement=\"renew\"");

        assertThat(scrape.sum("ordinaut_queue_depth", "priority", "5", "state", "ready")).isGreaterThanOrEqualTo(0);
        assertThat(scrape.labelNames("ordinaut_queue_depth")).containsExactlyInAnyOrder("priority", "state");
        assertThat(scrape.sum("ordinaut_queue_oldest_age_seconds", "priority", "1")).isGreaterThanOrEqualTo(0);
        assertThat(scrape.sum("ordinaut_quartz_cluster_size")).isEqualTo(1);
        assertThat(scrape.sum("ordinaut_misfires_total")).isGreaterThanOrEqualTo(0);
        assertThat(scrape.sum("ordinaut_rate_limit_refusals_total", "limit", "agent_burst")).isGreaterThanOrEqualTo(refused);
        assertThat(scrape.sum("ordinaut_rate_limit_refusals_total", "limit", "unauthenticated")).isGreaterThanOrEqualTo(floodRefused);
    }

    @Test
    void the_queue_gauges_show_runs_not_yet_due_as_waiting_by_priority() {
        // given three runs of priority 2 queued for the next hours (not due: no executor takes them)
        String task = task("queued", "0 3 1 1 *", "cron", Map.of("text", "later"));
        jdbc.sql("""
                INSERT INTO due_work (id, task_id, scheduled_for, run_at, queue_order, priority, trigger, overlap_policy)
                SELECT gen_random_uuid(), id, now() + make_interval(hours => n), now() + make_interval(hours => n),
                       now() + make_interval(hours => n), 2, 'run_now', overlap_policy
                  FROM task, generate_series(1, 3) n WHERE id = :task
                """).param("task", UUID.fromString(task)).update();

        Scrape scrape = Eventually.until("three waiting runs sampled", this::scrape,
                s -> s.sum("ordinaut_queue_depth", "priority", "2", "state", "waiting") == 3);

        assertThat(scrape.sum("ordinaut_queue_depth", "priority", "2", "state", "ready")).isZero();
        assertThat(scrape.sum("ordinaut_queue_oldest_age_seconds", "priority", "2")).isZero();
        jdbc.sql("DELETE FROM due_work WHERE task_id = :task").param("task", UUID.fromString(task)).update();
    }

    @Test
    void the_metric_table_in_operations_md_lists_exactly_what_a_scrape_exports() throws Exception {
        // given one tool call, so that the only series born on first use exist too
        api.post("/tools", Map.of("address", "docs.echo", "transport", "simulate")).expect(201);
        api.awaitFinished(runNow(task("docs", "0 3 1 1 *", "cron", Map.of("text", "x"), "docs.echo")));
        Scrape scrape = Eventually.until("the tool call counted", this::scrape,
                s -> s.has("ordinaut_tool_calls_total") && s.sum("ordinaut_tool_calls_total", "tool", "docs.echo") >= 1);

        // when the documented table is read
        Map<String, DocumentedMetric> documented = documentedMetrics(Files.readString(Path.of("docs/operations.md")));

        // then every exported family is documented with its type and tags, and nothing else is
        Map<String, String> exported = new TreeMap<>();
        scrape.types().forEach((family, type) -> {
            boolean histogramMax = family.endsWith("_max") && "histogram".equals(scrape.types().get(family.replaceAll("_max$", "")));
            if (family.startsWith("ordinaut_") && !histogramMax) {
                exported.put(family, type);
            }
        });
        assertThat(documented.keySet()).as("documented metrics").containsExactlyInAnyOrderElementsOf(exported.keySet());
        for (DocumentedMetric metric : documented.values()) {
            assertThat(metric.type()).as("type of %s", metric.name()).isEqualTo(exported.get(metric.name()));
            String series = metric.type().equals("histogram") ? metric.name() + "_count" : metric.name();
            assertThat(scrape.labelNames(series)).as("tags of %s", metric.name()).isEqualTo(metric.tags());
        }
    }

    record DocumentedMetric(String name, String type, Set<String> tags) {
    }

    /** The rows of the table under "## Metrics": | `name` | type | `tag`, `tag` | meaning |. */
    static Map<String, DocumentedMetric> documentedMetrics(String markdown) {
        int start = markdown.indexOf("\n## Metrics\n");
        assertThat(start).as("a Metrics section").isNotNegative();
        int end = markdown.indexOf("\n## ", start + 1);
        Map<String, DocumentedMetric> metrics = new TreeMap<>();
        for (String line : markdown.substring(start, end < 0 ? markdown.length() : end).split("\n")) {
            if (!line.startsWith("| `ordinaut_")) {
                continue;
            }
            String[] cells = line.split("\\|");
            String name = cells[1].trim().replace("`", "");
            Set<String> tags = new TreeSet<>();
            for (String tag : cells[3].split(",")) {
                if (!tag.isBlank()) {
                    tags.add(tag.trim().replace("`", ""));
                }
            }
            assertThat(metrics.put(name, new DocumentedMetric(name, cells[2].trim(), tags))).as("%s listed twice", name).isNull();
        }
        assertThat(metrics).as("documented metrics").isNotEmpty();
        return metrics;
    }

    private Scrape scrape() {
        return Scrape.parse(api.get("/actuator/prometheus").expect(200).body());
    }

    private long succeeded(String taskId) {
        return jdbc.sql("SELECT count(*) FROM task_run WHERE task_id = :id AND status = 'succeeded'")
                .param("id", UUID.fromString(taskId)).query(Long.class).single();
    }

    private String task(String title, String expr, String kind, Map<String, Object> args) {
        return task(title, expr, kind, args, "metrics.echo");
    }

    private String task(String title, String expr, String kind, Map<String, Object> args, String tool) {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("title", title);
        task.put("schedule_kind", kind);
        task.put("schedule_expr", expr);
        task.put("max_retries", 0);
        task.put("payload", Map.of("pipeline", List.of(Map.of("id", "echo", "uses", tool, "with", args))));
        return api.post("/tasks", task).expect(201).string("id");
    }

    private String runNow(String taskId) {
        return api.post("/tasks/" + taskId + "/run_now", Map.of()).expect(200).details().get("run_id").toString();
    }

    private String agentToken(String... scopes) {
        String id = api.post("/agents", Map.of("name", "agent-" + UUID.randomUUID().toString().substring(0, 8),
                "scopes", List.of(scopes))).expect(201).string("id");
        String secret = api.post("/agents/" + id + "/credentials", "{}").expect(200).string("agent_secret");
        return api.as(null).post("/agents/auth/token", Map.of("agent_id", id, "agent_secret", secret)).expect(200)
                .string("access_token");
    }
}
