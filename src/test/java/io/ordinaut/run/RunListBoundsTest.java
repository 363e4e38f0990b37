package io.ordinaut.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.ordinaut.support.Api;
import io.ordinaut.support.Api.Response;
import io.ordinaut.support.NodeTestSupport;

/**
 * Listing runs costs the node a bounded amount of memory whatever the runs' outputs: a run may save
 * up to 8 MiB of output (ordinaut.pipeline.max-run-output-bytes) and a page may hold 1000 runs, so the
 * lists leave large outputs out of their items, marked, within a bound per item and per page.
 */
class RunListBoundsTest extends NodeTestSupport {

    private static final int LARGE = 4_000_000;
    private static final String HIDDEN = "[Error details hidden - use include_errors=true]";
    /** The fields a run item has always had; an item whose output is listed has exactly these. */
    private static final Set<String> FIELDS = Set.of("id", "run_id", "task_id", "status", "trigger", "attempt", "scheduled_for",
            "run_at", "success", "lease_owner", "leased_until", "started_at", "finished_at", "duration_ms", "error", "output",
            "created_at");

    private final Instant start = Instant.now();

    @Test
    @SuppressWarnings("unchecked")
    void a_page_of_runs_with_large_outputs_lists_every_run_and_leaves_the_large_outputs_out_marked() {
        // given an agent's task with 30 recorded runs of about 4 MB of output each, and 3 newer small ones
        Api.AgentApi agent = api.newAgent("tasks:create", "runs:read");
        String taskId = agent.api().post("/tasks", RunApiTest.task("large outputs", Map.of())).expect(201).string("id");
        List<UUID> large = IntStream.range(0, 30).mapToObj(i -> insertRun(taskId, 100 + i, LARGE)).toList();
        UUID small = insertRun(taskId, 1, 0);
        insertRun(taskId, 2, 0);
        insertRun(taskId, 3, 0);

        // when its runs are listed, 1000 to a page
        Response page = agent.api().get("/tasks/" + taskId + "/runs?limit=1000").expect(200);

        // then every run is listed, and the page is far smaller than the outputs it lists
        assertThat(page.map()).containsEntry("total", 33).containsEntry("limit", 1000).containsEntry("offset", 0)
                .containsEntry("has_more", false);
        List<Map<String, Object>> items = page.items();
        assertThat(items).hasSize(33);
        assertThat(page.body().length()).as("page body bytes").isLessThan(2 * RunRepository.MAX_LISTED_PAGE_OUTPUT_BYTES);

        // the small ones first, newest first, with the fields and output they always had (step errors hidden)
        assertThat(items.get(0).get("id")).isEqualTo(small.toString());
        for (Map<String, Object> item : items.subList(0, 3)) {
            assertThat(item.keySet()).isEqualTo(FIELDS);
            Map<String, Object> output = (Map<String, Object>) item.get("output");
            assertThat(output.get("steps")).isEqualTo(Map.of("s", Map.of("n", 1)));
            assertThat(output.get("trace")).isEqualTo(List.of(Map.of("id", "s", "uses", "noop.run", "status", "failed", "error", HIDDEN)));
        }
        // and each large one without its output, marked with the output's size
        assertThat(items.subList(3, 33)).extracting(i -> i.get("id")).containsExactlyElementsOf(large.stream().map(UUID::toString).toList());
        for (Map<String, Object> item : items.subList(3, 33)) {
            assertThat(item).containsEntry("output", null).containsEntry("output_omitted", true).containsEntry("status", "failed");
            assertThat(((Number) item.get("output_bytes")).longValue()).isEqualTo(storedBytes(UUID.fromString((String) item.get("id"))));
            assertThat(((Number) item.get("output_bytes")).longValue()).isGreaterThan(LARGE);
        }

        // the same through GET /runs, whose pages and total are unchanged
        Response slice = agent.api().get("/runs?task_id=" + taskId + "&limit=10&offset=2").expect(200);
        assertThat(slice.map()).containsEntry("total", 33).containsEntry("limit", 10).containsEntry("offset", 2)
                .containsEntry("has_more", true);
        assertThat(slice.items()).extracting(i -> i.get("id")).containsExactlyElementsOf(items.subList(2, 12).stream().map(i -> i.get("id")).toList());
        assertThat(slice.items().get(0).keySet()).isEqualTo(FIELDS);
        assertThat(slice.items().get(1)).containsEntry("output_omitted", true);
        Response admin = api.get("/runs").expect(200);
        assertThat(admin.items()).hasSizeGreaterThanOrEqualTo(33);
        assertThat(admin.body().length()).isLessThan(2 * RunRepository.MAX_LISTED_PAGE_OUTPUT_BYTES);

        // and one run, asked for by id, is shown whole, as is the latest
        Response one = agent.api().get("/runs/" + large.get(0)).expect(200);
        assertThat(one.map()).doesNotContainKeys("output_bytes", "output_omitted");
        Map<String, Object> output = (Map<String, Object>) one.get("output");
        assertThat((String) ((Map<String, Object>) output.get("steps")).get("s")).hasSize(LARGE);
        assertThat(stepError(output)).isEqualTo("HTTP 503 from crm.internal");
        assertThat(agent.api().get("/task/" + taskId + "/latest").expect(200).map()).containsEntry("id", small.toString())
                .containsKey("output").doesNotContainKeys("output_bytes", "output_omitted");
    }

    @Test
    void outputs_listed_on_one_page_stay_within_the_page_bound_and_the_rest_are_marked() {
        // given 12 runs whose outputs are each under the item bound, together well over the page bound
        int size = RunRepository.MAX_LISTED_OUTPUT_BYTES / 2;
        String taskId = api.post("/tasks", RunApiTest.task("medium outputs", Map.of())).expect(201).string("id");
        List<UUID> runs = IntStream.range(0, 12).mapToObj(i -> insertRun(taskId, i + 1, size)).toList();
        long each = storedBytes(runs.get(0));
        int fit = (int) (RunRepository.MAX_LISTED_PAGE_OUTPUT_BYTES / each);
        assertThat(fit).isBetween(1, 11);

        // when they are listed, errors shown
        List<Map<String, Object>> items = api.get("/tasks/" + taskId + "/runs?include_errors=true").expect(200).items();

        // then the newest carry their outputs up to the page bound, the others are marked
        assertThat(items).hasSize(12);
        for (int i = 0; i < 12; i++) {
            Map<String, Object> item = items.get(i);
            assertThat(item.get("id")).isEqualTo(runs.get(i).toString());
            if (i < fit) {
                assertThat(item.keySet()).as("item " + i).isEqualTo(FIELDS);
                assertThat(stepError(item.get("output"))).isEqualTo("HTTP 503 from crm.internal");
            } else {
                assertThat(item).as("item " + i).containsEntry("output", null).containsEntry("output_omitted", true)
                        .containsEntry("output_bytes", (int) each);
            }
        }
        // and a page that starts further on lists the outputs from its own start
        Map<String, Object> later = api.get("/tasks/" + taskId + "/runs?offset=" + fit + "&limit=1").expect(200).items().get(0);
        assertThat(later.get("id")).isEqualTo(runs.get(fit).toString());
        assertThat(later.keySet()).isEqualTo(FIELDS);
    }

    /**
     * A failed run whose step {@code s} saved a string of {@code size} characters (size 0: {"n": 1}),
     * recorded {@code age} seconds before the test started; its trace holds a step error. Built in the
     * database, so the test sends no large statement.
     */
    private UUID insertRun(String taskId, int age, int size) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                INSERT INTO task_run (id, run_id, task_id, scheduled_for, trigger, attempt, status, success, started_at,
                                      finished_at, error, output, created_at)
                VALUES (:id, :id, CAST(:task AS uuid), now(), 'run_now', 1, 'failed', false, now(), now(), 'crm.update: HTTP 503',
                        jsonb_build_object(
                            'steps', jsonb_build_object('s', CASE WHEN :size = 0 THEN '{"n": 1}'::jsonb ELSE to_jsonb(repeat('x', :size)) END),
                            'trace', jsonb_build_array(jsonb_build_object('id', 's', 'uses', 'noop.run', 'status', 'failed',
                                                                          'error', 'HTTP 503 from crm.internal'))),
                        :created)""")
                .param("id", id).param("task", taskId).param("size", size)
                .param("created", Timestamp.from(start.minusSeconds(age)))
                .update();
        return id;
    }

    private long storedBytes(UUID runId) {
        return jdbc.sql("SELECT octet_length(CAST(output AS text)) FROM task_run WHERE id = :id").param("id", runId)
                .query(Long.class).single();
    }

    @SuppressWarnings("unchecked")
    private static Object stepError(Object output) {
        return ((List<Map<String, Object>>) ((Map<String, Object>) output).get("trace")).get(0).get("error");
    }
}
