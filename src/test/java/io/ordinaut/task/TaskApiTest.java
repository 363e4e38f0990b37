package io.ordinaut.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.ordinaut.support.Api.Response;
import io.ordinaut.support.NodeTestSupport;

class TaskApiTest extends NodeTestSupport {

    static Map<String, Object> task(String kind, String expr) {
        Map<String, Object> t = new HashMap<>();
        t.put("title", "Task " + kind);
        t.put("schedule_kind", kind);
        t.put("schedule_expr", expr);
        t.put("payload", Map.of("params", Map.of("city", "Chisinau"),
                "pipeline", List.of(Map.of("id", "weather", "uses", "weather.forecast",
                        "with", Map.of("city", "${params.city}"), "save_as", "weather"))));
        return t;
    }

    static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        Map<String, Object> copy = new HashMap<>(base);
        copy.put(key, value);
        return copy;
    }

    @Test
    void create_applies_documented_defaults_and_returns_201() {
        Response r = api.post("/tasks", task("cron", "0 9 * * 1-5")).expect(201);

        assertThat(r.string("id")).isNotBlank();
        assertThat(r.get("status")).isEqualTo("active");
        assertThat(r.get("timezone")).isEqualTo("UTC");
        assertThat(r.get("priority")).isEqualTo(5);
        assertThat(r.get("max_retries")).isEqualTo(3);
        assertThat(r.get("backoff_strategy")).isEqualTo("exponential_jitter");
        assertThat(r.get("misfire_grace_seconds")).isEqualTo(3600);
        assertThat(r.get("jitter_seconds")).isEqualTo(0);
        assertThat(r.get("description")).isEqualTo("");
        assertThat(r.get("created_by")).isEqualTo("00000000-0000-0000-0000-000000000001");
        Instant next = OffsetDateTime.parse(r.string("next_run_at")).toInstant();
        assertThat(next).isAfter(Instant.now());
        assertThat(OffsetDateTime.parse(r.string("next_run_at")).getHour()).isEqualTo(9);
        assertThat(r.get("created_at")).isNotNull();
        assertThat(r.get("updated_at")).isNotNull();

        Response fetched = api.get("/tasks/" + r.string("id")).expect(200);
        assertThat(fetched.get("title")).isEqualTo("Task cron");
        assertThat(fetched.get("payload")).isEqualTo(r.get("payload"));
    }

    @Test
    void every_schedule_kind_is_accepted() {
        String future = Instant.now().plus(Duration.ofDays(2)).toString();
        for (Map<String, Object> t : List.of(
                task("cron", "*/5 * * * *"),
                with(task("rrule", "FREQ=DAILY;BYHOUR=9;BYMINUTE=0"), "timezone", "Europe/Chisinau"),
                task("once", future),
                task("interval", "PT30M"),
                task("event", "orders.created"))) {
            Response r = api.post("/tasks", t).expect(201);
            if ("event".equals(t.get("schedule_kind"))) {
                assertThat(r.get("next_run_at")).isNull();
            } else {
                assertThat(r.get("next_run_at")).as("next_run_at of %s", t.get("schedule_kind")).isNotNull();
            }
        }
        Response once = api.get("/tasks?schedule_kind=once").expect(200);
        assertThat(once.items()).hasSize(1);
        assertThat(OffsetDateTime.parse(once.items().get(0).get("next_run_at").toString()).toInstant())
                .isEqualTo(Instant.parse(future).truncatedTo(java.time.temporal.ChronoUnit.MICROS));
    }

    static List<Object[]> badTasks() {
        Map<String, Object> ok = task("cron", "0 9 * * *");
        return List.of(
                new Object[] {"missing title", with(ok, "title", null), "title"},
                new Object[] {"empty title", with(ok, "title", ""), "title"},
                new Object[] {"long title", with(ok, "title", "x".repeat(201)), "title"},
                new Object[] {"title not a string", with(ok, "title", 42), "title"},
                new Object[] {"long description", with(ok, "description", "x".repeat(2001)), "description"},
                new Object[] {"unknown kind", with(ok, "schedule_kind", "weekly"), "schedule_kind"},
                new Object[] {"missing expr", with(ok, "schedule_expr", null), "schedule_expr"},
                new Object[] {"bad cron", with(ok, "schedule_expr", "61 * * * *"), "schedule_expr"},
                new Object[] {"six-field cron", with(ok, "schedule_expr", "0 0 9 * * ?"), "schedule_expr"},
                new Object[] {"bad rrule", with(with(ok, "schedule_kind", "rrule"), "schedule_expr", "FREQ=DAILY;BYDAY=XX"), "schedule_expr"},
                new Object[] {"once in the past", with(with(ok, "schedule_kind", "once"), "schedule_expr", "2020-01-01T00:00:00Z"), "schedule_expr"},
                new Object[] {"bad interval", with(with(ok, "schedule_kind", "interval"), "schedule_expr", "every 5 minutes"), "schedule_expr"},
                new Object[] {"sub-second interval", with(with(ok, "schedule_kind", "interval"), "schedule_expr", "PT0.5S"), "schedule_expr"},
                new Object[] {"unknown zone", with(ok, "timezone", "Mars/Olympus"), "timezone"},
                new Object[] {"priority too high", with(ok, "priority", 10), "priority"},
                new Object[] {"priority zero", with(ok, "priority", 0), "priority"},
                new Object[] {"priority as string", with(ok, "priority", "high"), "priority"},
                new Object[] {"fractional priority", with(ok, "priority", 2.5), "priority"},
                new Object[] {"max_retries too high", with(ok, "max_retries", 11), "max_retries"},
                new Object[] {"unknown backoff", with(ok, "backoff_strategy", "random"), "backoff_strategy"},
                new Object[] {"negative jitter", with(ok, "jitter_seconds", -1), "jitter_seconds"},
                // 2^64 + 384 and 2^65 - 232 as doubles: once narrowed to their low 64 bits, as 384 and -232
                new Object[] {"jitter past 2^64 as a decimal", with(ok, "jitter_seconds", 1.8446744073709552e19), "jitter_seconds"},
                new Object[] {"misfire grace past 2^64", with(ok, "misfire_grace_seconds", 1.8446744073709552e19), "misfire_grace_seconds"},
                new Object[] {"dedupe window past 2^65", with(ok, "dedupe_window_seconds", 3.6893488147419103e19), "dedupe_window_seconds"},
                new Object[] {"max_retries past 2^64", with(ok, "max_retries", 1.8446744073709552e19), "max_retries"},
                new Object[] {"priority past 2^64 as an integer", with(ok, "priority", new java.math.BigInteger("18446744073709551621")), "priority"},
                new Object[] {"bad start_at", with(ok, "start_at", "tomorrow"), "start_at"},
                new Object[] {"end before start", with(with(ok, "start_at", "2030-01-02T00:00:00Z"), "end_at", "2030-01-01T00:00:00Z"), "end_at"},
                new Object[] {"payload not object", with(ok, "payload", List.of()), "payload"},
                new Object[] {"step without uses", with(ok, "payload", Map.of("pipeline", List.of(Map.of("id", "a")))), "payload.pipeline[0].uses"},
                new Object[] {"unknown created_by", with(ok, "created_by", "6f1f7a8e-0000-4000-8000-000000000000"), "created_by"},
                new Object[] {"malformed created_by", with(ok, "created_by", "nobody"), "created_by"},
                new Object[] {"unknown field", with(ok, "schedule", "daily"), "schedule"});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTasks")
    void bad_input_is_a_400_in_the_error_shape_and_stores_nothing(String name, Map<String, Object> body, String field) {
        long before = jdbc.sql("SELECT count(*) FROM task").query(Long.class).single();

        Response r = api.post("/tasks", body).expect(400);

        assertThat(r.get("error")).isEqualTo("ValidationError");
        assertThat(r.string("message")).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(r.details()).containsEntry("field", field);
        assertThat(r.string("request_id")).isNotBlank();
        assertThat(r.string("timestamp")).isNotBlank();
        assertThat(jdbc.sql("SELECT count(*) FROM task").query(Long.class).single()).isEqualTo(before);
    }

    /** A number as the client wrote it, however large or in whichever notation, is out of range and named as sent. */
    @Test
    void a_number_beyond_a_long_is_out_of_range_not_wrapped() {
        long before = jdbc.sql("SELECT count(*) FROM task").query(Long.class).single();
        String body = "{\"title\":\"huge\",\"schedule_kind\":\"cron\",\"schedule_expr\":\"0 9 * * *\","
                + "\"payload\":{\"pipeline\":[{\"id\":\"weather\",\"uses\":\"weather.forecast\",\"with\":{\"city\":\"Chisinau\"}}]},\"jitter_seconds\":";

        Response decimal = api.postRaw("/tasks", body + "18446744073709551716.0}", "application/json").expect(400);
        assertThat(decimal.details()).containsEntry("field", "jitter_seconds");
        assertThat(decimal.string("message")).isEqualTo("jitter_seconds must be between 0 and 86400 (got 1.8446744073709552E19)");

        Response integer = api.postRaw("/tasks", body + "18446744073709551716}", "application/json").expect(400);
        assertThat(integer.string("message")).isEqualTo("jitter_seconds must be between 0 and 86400 (got 18446744073709551716)");

        Response negative = api.postRaw("/tasks", body + "-1e30}", "application/json").expect(400);
        assertThat(negative.string("message")).startsWith("jitter_seconds must be between 0 and 86400 (got -1");

        Response fractional = api.postRaw("/tasks", body + "0.5}", "application/json").expect(400);
        assertThat(fractional.string("message")).isEqualTo("jitter_seconds must be a whole number (got 0.5)");

        assertThat(api.postRaw("/tasks", body + "6e1}", "application/json").expect(201).get("jitter_seconds")).isEqualTo(60);
        assertThat(jdbc.sql("SELECT count(*) FROM task").query(Long.class).single()).isEqualTo(before + 1);
    }

    @Test
    void malformed_json_wrong_content_type_and_wrong_method_get_clear_errors() {
        Response malformed = api.postRaw("/tasks", "{\"title\": ", "application/json").expect(400);
        assertThat(malformed.get("error")).isEqualTo("ValidationError");

        Response array = api.postRaw("/tasks", "[1,2]", "application/json").expect(400);
        assertThat(array.details()).containsEntry("field", "body");

        Response text = api.postRaw("/tasks", "title=x", "text/plain").expect(415);
        assertThat(text.get("error")).isEqualTo("UnsupportedMediaType");

        Response method = api.method("PATCH", "/tasks").expect(405);
        assertThat(method.get("error")).isEqualTo("MethodNotAllowed");
        assertThat(method.header("Allow")).contains("GET").contains("POST");

        Response nowhere = api.get("/nowhere").expect(404);
        assertThat(nowhere.get("error")).isEqualTo("NotFound");
    }

    @Test
    void unknown_and_malformed_ids_are_404() {
        for (String path : List.of("/tasks/7d9f4a4e-1111-4222-8333-944455556666", "/tasks/not-a-uuid",
                "/runs/7d9f4a4e-1111-4222-8333-944455556666", "/runs/xyz", "/tasks/not-a-uuid/preview")) {
            Response r = api.get(path).expect(404);
            assertThat(r.get("error")).isEqualTo("NotFound");
        }
        api.post("/tasks/7d9f4a4e-1111-4222-8333-944455556666/pause", "{}").expect(404);
        api.put("/tasks/abc", Map.of("title", "x")).expect(404);
    }

    @Test
    void list_filters_and_paginates() {
        String owner = "5f0c2b1e-7a3d-4c8e-9b6a-2d4e6f8a0c1e";
        jdbc.sql("INSERT INTO agent (id, name) VALUES (CAST(:id AS uuid), 'pager')").param("id", owner).update();
        for (int i = 0; i < 5; i++) {
            api.post("/tasks", with(with(task("interval", "PT1H"), "title", "page " + i), "created_by", owner)).expect(201);
        }
        String paused = api.post("/tasks", with(task("cron", "0 * * * *"), "created_by", owner)).expect(201).string("id");
        api.post("/tasks/" + paused + "/pause", "{}").expect(200);

        Response page = api.get("/tasks?created_by=" + owner + "&schedule_kind=interval&limit=2&offset=1").expect(200);
        assertThat(page.items()).hasSize(2);
        assertThat(page.get("total")).isEqualTo(5);
        assertThat(page.get("limit")).isEqualTo(2);
        assertThat(page.get("offset")).isEqualTo(1);
        assertThat(page.get("has_more")).isEqualTo(true);

        Response last = api.get("/tasks?created_by=" + owner + "&schedule_kind=interval&limit=2&offset=4").expect(200);
        assertThat(last.items()).hasSize(1);
        assertThat(last.get("has_more")).isEqualTo(false);

        Response onlyPaused = api.get("/tasks?status=paused&created_by=" + owner).expect(200);
        assertThat(onlyPaused.items()).extracting(t -> t.get("id")).containsExactly(paused);

        Response byOwner = api.get("/tasks?created_by=" + owner + "&limit=200").expect(200);
        assertThat(byOwner.get("total")).isEqualTo(6);

        api.get("/tasks?limit=0").expect(400);
        api.get("/tasks?limit=201").expect(400);
        api.get("/tasks?offset=-1").expect(400);
        api.get("/tasks?status=sleeping").expect(400);
        api.get("/tasks?created_by=bob").expect(400);
        api.get("/tasks?limit=ten").expect(400);
    }

    @Test
    void put_changes_only_given_fields_and_replans_the_schedule() {
        Map<String, Object> created = api.post("/tasks", task("cron", "0 9 * * *")).expect(201).map();
        String id = created.get("id").toString();

        Response titled = api.put("/tasks/" + id, Map.of("title", "Renamed", "priority", 2)).expect(200);
        assertThat(titled.get("title")).isEqualTo("Renamed");
        assertThat(titled.get("priority")).isEqualTo(2);
        assertThat(titled.get("schedule_expr")).isEqualTo("0 9 * * *");
        assertThat(titled.get("payload")).isEqualTo(created.get("payload"));

        Response moved = api.put("/tasks/" + id, Map.of("schedule_expr", "30 17 * * *", "timezone", "America/New_York")).expect(200);
        OffsetDateTime next = OffsetDateTime.parse(moved.string("next_run_at"));
        assertThat(next.atZoneSameInstant(java.time.ZoneId.of("America/New_York")).getHour()).isEqualTo(17);
        assertThat(jdbc.sql("SELECT count(*) FROM schedule s JOIN task t ON t.schedule_id = s.id WHERE t.id = CAST(:id AS uuid) AND s.timezone = 'America/New_York'")
                .param("id", id).query(Long.class).single()).isEqualTo(1);

        Response bad = api.put("/tasks/" + id, Map.of("schedule_expr", "not cron")).expect(400);
        assertThat(bad.details()).containsEntry("field", "schedule_expr");
        api.put("/tasks/" + id, Map.of("title", "")).expect(400);
        api.put("/tasks/" + id, Map.of("created_by", "5e1f0000-0000-4000-8000-00000000dead")).expect(400);
        api.put("/tasks/" + id, Map.of("owner", "x")).expect(400);
        assertThat(api.get("/tasks/" + id).expect(200).get("schedule_expr")).isEqualTo("30 17 * * *");
    }

    @Test
    void pause_resume_cancel_follow_the_status_rules() {
        String id = api.post("/tasks", task("cron", "*/10 * * * *")).expect(201).string("id");
        String schedule = jdbc.sql("SELECT CAST(schedule_id AS text) FROM task WHERE id = CAST(:id AS uuid)").param("id", id)
                .query(String.class).single();
        // No Quartz trigger of its own (the window triggers fire every schedule); next_run_at is its next occurrence.
        assertThat(jdbc.sql("SELECT count(*) FROM qrtz_triggers WHERE trigger_name = :s").param("s", schedule).query(Long.class).single()).isZero();
        Instant next = Instant.parse(api.get("/tasks/" + id).string("next_run_at"));
        assertThat(next).isAfter(Instant.now()).isEqualTo(OffsetDateTime.parse(
                (String) ((List<?>) api.get("/tasks/" + id + "/preview?count=1").get("occurrences")).get(0)).toInstant());
        // (the schedule's next_fire_at is that occurrence, or the one after when it was enqueued ahead already)
        assertThat(jdbc.sql("SELECT next_fire_at FROM schedule WHERE CAST(id AS text) = :s").param("s", schedule)
                .query(java.sql.Timestamp.class).single().toInstant()).isAfterOrEqualTo(next);

        Response paused = api.post("/tasks/" + id + "/pause", "{}").expect(200);
        assertThat(paused.get("success")).isEqualTo(true);
        assertThat(api.get("/tasks/" + id).get("status")).isEqualTo("paused");
        assertThat(api.get("/tasks/" + id).get("next_run_at")).isNull();
        // Its schedule had no other task: the schedule row is gone; Quartz holds the window triggers only.
        assertThat(jdbc.sql("SELECT count(*) FROM schedule WHERE CAST(id AS text) = :s").param("s", schedule).query(Long.class).single()).isZero();
        assertThat(jdbc.sql("SELECT DISTINCT trigger_group FROM qrtz_triggers").query(String.class).list()).containsExactly("ordinaut-windows");

        api.post("/tasks/" + id + "/resume", "{}").expect(200);
        assertThat(api.get("/tasks/" + id).get("status")).isEqualTo("active");
        assertThat(api.get("/tasks/" + id).get("next_run_at")).isNotNull();

        Response canceled = api.post("/tasks/" + id + "/cancel", "{}").expect(200);
        assertThat(canceled.get("success")).isEqualTo(true);
        assertThat(api.get("/tasks/" + id).get("status")).isEqualTo("canceled");

        for (String action : List.of("pause", "resume", "run_now", "cancel")) {
            Response r = api.post("/tasks/" + id + "/" + action, "{}").expect(409);
            assertThat(r.get("error")).isEqualTo("Conflict");
        }
        api.post("/tasks/" + id + "/snooze", Map.of("delay_seconds", 60)).expect(409);
        api.put("/tasks/" + id, Map.of("title", "again")).expect(409);
    }

    @Test
    void run_now_queues_a_run_that_executes_with_simulated_tools_even_when_paused() throws Exception {
        String id = api.post("/tasks", task("cron", "0 0 1 1 *")).expect(201).string("id");
        api.post("/tasks/" + id + "/pause", "{}").expect(200);

        Response queued = api.post("/tasks/" + id + "/run_now", "{}").expect(200);
        String runId = queued.details().get("run_id").toString();

        Map<String, Object> run = api.awaitFinished(runId);
        assertThat(run.get("task_id")).isEqualTo(id);
        assertThat(run.get("success")).isEqualTo(true);
        assertThat(run.get("attempt")).isEqualTo(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> steps = (Map<String, Object>) ((Map<String, Object>) run.get("output")).get("steps");
        @SuppressWarnings("unchecked")
        Map<String, Object> weather = (Map<String, Object>) steps.get("weather");
        assertThat(weather).containsEntry("status", "simulated").containsEntry("tool_address", "weather.forecast");
        assertThat(weather.get("input_args")).isEqualTo(Map.of("city", "Chisinau"));

        Response listed = api.get("/runs?task_id=" + id + "&success=true").expect(200);
        assertThat(listed.items()).extracting(r -> r.get("id")).containsExactly(runId);
        assertThat(api.get("/runs?task_id=" + id + "&success=false").expect(200).items()).isEmpty();
        api.get("/runs?success=maybe").expect(400);
        api.get("/runs?task_id=nope").expect(400);
    }

    @Test
    void snooze_moves_the_next_occurrence_later() {
        String id = api.post("/tasks", task("cron", "0 12 * * *")).expect(201).string("id");
        Instant before = OffsetDateTime.parse(api.get("/tasks/" + id).string("next_run_at")).toInstant();

        Response r = api.post("/tasks/" + id + "/snooze", Map.of("delay_seconds", 3600, "reason", "lunch moved")).expect(200);
        assertThat(r.get("success")).isEqualTo(true);

        Instant after = OffsetDateTime.parse(api.get("/tasks/" + id).string("next_run_at")).toInstant();
        assertThat(after).isEqualTo(before.plusSeconds(3600));

        api.post("/tasks/" + id + "/snooze", Map.of("delay_seconds", 0)).expect(400);
        api.post("/tasks/" + id + "/snooze", Map.of("delay_seconds", 604_801)).expect(400);
        // 2^64 + 384: once its low 64 bits, a snooze by 384 s
        Response huge = api.post("/tasks/" + id + "/snooze", Map.of("delay_seconds", 1.8446744073709552e19)).expect(400);
        assertThat(huge.string("message")).isEqualTo("delay_seconds must be between 1 and 604800 (got 1.8446744073709552E19)");
        assertThat(OffsetDateTime.parse(api.get("/tasks/" + id).string("next_run_at")).toInstant()).isEqualTo(before.plusSeconds(3600));
        api.post("/tasks/" + id + "/snooze", Map.of()).expect(400);
    }

    @Test
    void preview_lists_fire_times_in_the_zone_with_offsets() {
        Response r = api.post("/schedules/preview", Map.of("schedule_kind", "cron", "schedule_expr", "30 2 * * *",
                "timezone", "America/New_York", "count", 3, "after", "2026-03-07T00:00:00-05:00")).expect(200);
        assertThat(r.get("timezone")).isEqualTo("America/New_York");
        assertThat(r.get("occurrences")).isEqualTo(List.of(
                "2026-03-07T02:30:00-05:00", "2026-03-08T03:30:00-04:00", "2026-03-09T02:30:00-04:00"));

        String id = api.post("/tasks", with(task("rrule", "FREQ=DAILY;BYHOUR=9;BYMINUTE=0;BYSECOND=0"), "timezone", "Europe/Chisinau"))
                .expect(201).string("id");
        Response preview = api.get("/tasks/" + id + "/preview?count=2&after=2030-06-01T00:00:00Z").expect(200);
        assertThat(preview.get("occurrences")).isEqualTo(List.of("2030-06-01T09:00:00+03:00", "2030-06-02T09:00:00+03:00"));

        api.get("/tasks/" + id + "/preview?count=0").expect(400);
        api.get("/tasks/" + id + "/preview?count=1001").expect(400);
        api.get("/tasks/" + id + "/preview?after=yesterday").expect(400);
        api.post("/schedules/preview", Map.of("schedule_kind", "cron", "schedule_expr", "* * *")).expect(400);
        api.post("/schedules/preview", Map.of("schedule_kind", "rrule", "schedule_expr", "FREQ=DAILY", "timezone", "Nowhere/City")).expect(400);
    }

    @Test
    void health_endpoints_report_components() {
        Response health = api.get("/health").expect(200);
        assertThat(health.get("status")).isEqualTo("healthy");
        @SuppressWarnings("unchecked")
        Map<String, Object> checks = (Map<String, Object>) health.get("checks");
        assertThat(checks).containsKeys("database", "scheduler");
        api.get("/health/live").expect(200);
        assertThat(api.get("/health/ready").expect(200).get("status")).isEqualTo("ready");
        Response docs = api.get("/v3/api-docs").expect(200);
        assertThat(docs.map()).containsKey("paths");
    }
}
