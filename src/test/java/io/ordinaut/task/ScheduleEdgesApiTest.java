package io.ordinaut.task;

import static io.ordinaut.task.TaskApiTest.task;
import static io.ordinaut.task.TaskApiTest.with;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.ordinaut.support.Api.Response;
import io.ordinaut.support.Eventually;
import io.ordinaut.support.NodeTestSupport;

/** Schedules at their edges, through the API: refusals are 400s naming the field, previews are what fires. */
class ScheduleEdgesApiTest extends NodeTestSupport {

    private static final String EMPTY_SETPOS = "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6";

    @Test
    void a_bysetpos_that_selects_nothing_is_a_400_on_preview_create_and_update() {
        for (String rule : List.of(EMPTY_SETPOS, "FREQ=MONTHLY;BYMONTHDAY=31;BYSETPOS=2",
                "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1;BYSETPOS=-2", "FREQ=DAILY;BYHOUR=9;BYSETPOS=2")) {
            Response preview = api.post("/schedules/preview", Map.of("schedule_kind", "rrule", "schedule_expr", rule)).expect(400);
            assertThat(preview.details()).containsEntry("field", "schedule_expr");
            assertThat(preview.string("message")).contains("BYSETPOS").contains("selects nothing");
        }
        Response created = api.post("/tasks", task("rrule", EMPTY_SETPOS)).expect(400);
        assertThat(created.details()).containsEntry("field", "schedule_expr");

        String id = api.post("/tasks", task("rrule", "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1")).expect(201).string("id");
        Response updated = api.put("/tasks/" + id, Map.of("schedule_expr", EMPTY_SETPOS)).expect(400);
        assertThat(updated.details()).containsEntry("field", "schedule_expr");
        assertThat(api.get("/tasks/" + id).expect(200).get("schedule_expr")).isEqualTo("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1");
    }

    @Test
    void a_batch_item_whose_bysetpos_selects_nothing_fails_alone() {
        Response r = api.post("/tasks/batch", Map.of("tasks", List.of(
                with(task("cron", "0 9 * * *"), "title", "setpos ok 1"),
                task("rrule", EMPTY_SETPOS),
                with(task("cron", "0 10 * * *"), "title", "setpos ok 2")))).expect(200);

        assertThat(r.get("created")).isEqualTo(2);
        assertThat(r.get("failed")).isEqualTo(1);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> results = (List<Map<String, Object>>) r.get("results");
        assertThat(results.get(1)).containsEntry("status", 400);
        @SuppressWarnings("unchecked")
        Map<String, Object> error = (Map<String, Object>) results.get(1).get("error");
        assertThat(error).containsEntry("details", Map.of("field", "schedule_expr"));
        assertThat(results.get(0)).containsEntry("status", 201);
        assertThat(results.get(2)).containsEntry("status", 201);
    }

    @Test
    void a_new_schedule_with_future_occurrences_reactivates_a_completed_task_and_it_fires() {
        // given a once task that fired and completed
        String soon = Instant.now().plusSeconds(5).truncatedTo(ChronoUnit.SECONDS).toString();
        String id = api.post("/tasks", task("once", soon)).expect(201).string("id");
        Eventually.until("the once task completes", Duration.ofSeconds(30),
                () -> "completed".equals(api.get("/tasks/" + id).expect(200).get("status")));
        int runsBefore = api.get("/runs?task_id=" + id).expect(200).items().size();

        // when its schedule is changed to one that fires again
        Instant next = Instant.now().plusSeconds(5).truncatedTo(ChronoUnit.SECONDS);
        Response updated = api.put("/tasks/" + id, Map.of("schedule_expr", next.toString())).expect(200);

        // then it is active, plans the new occurrence, fires it and completes again
        assertThat(updated.get("status")).isEqualTo("active");
        assertThat(OffsetDateTime.parse(updated.string("next_run_at")).toInstant()).isEqualTo(next);
        Eventually.until("the reactivated task fires", Duration.ofSeconds(30),
                () -> api.get("/runs?task_id=" + id).expect(200).items().size() > runsBefore);
        Eventually.until("the task completes again", Duration.ofSeconds(30),
                () -> "completed".equals(api.get("/tasks/" + id).expect(200).get("status")));

        // a once instant in the past is refused, as at creation; a schedule with nothing left within its
        // bounds keeps it completed; a canceled task cannot be changed at all
        Response past = api.put("/tasks/" + id, Map.of("schedule_expr", "2020-01-01T00:00:00Z")).expect(400);
        assertThat(past.details()).containsEntry("field", "schedule_expr");
        assertThat(api.get("/tasks/" + id).expect(200).get("schedule_expr")).isEqualTo(next.toString());
        // (a change that keeps the instant it fired at — the zone of an instant written with an offset — is no new instant)
        assertThat(api.put("/tasks/" + id, Map.of("timezone", "Europe/Paris")).expect(200).get("status")).isEqualTo("completed");
        Response stale = api.put("/tasks/" + id, Map.of("schedule_kind", "cron", "schedule_expr", "0 9 * * *",
                "end_at", "2020-01-01T00:00:00Z")).expect(200);
        assertThat(stale.get("status")).isEqualTo("completed");
        assertThat(stale.get("next_run_at")).isNull();
        api.post("/tasks/" + id + "/cancel", Map.of()).expect(200);
        api.put("/tasks/" + id, Map.of("schedule_expr", Instant.now().plusSeconds(60).toString())).expect(409);
    }

    @Test
    void a_once_instant_in_the_past_is_a_400_whatever_the_tasks_status() {
        // given a paused cron task and a paused once task
        String cron = api.post("/tasks", task("cron", "0 9 * * *")).expect(201).string("id");
        String once = api.post("/tasks", task("once", Instant.now().plus(Duration.ofDays(2)).toString())).expect(201).string("id");
        for (String id : List.of(cron, once)) {
            api.post("/tasks/" + id + "/pause", Map.of()).expect(200);
        }
        Map<String, Object> before = api.get("/tasks/" + cron).expect(200).map();

        // when either is given a once instant in the past, then it is refused as at creation, and nothing changes
        Response toOnce = api.put("/tasks/" + cron, Map.of("schedule_kind", "once", "schedule_expr", "2020-01-01T00:00:00Z")).expect(400);
        assertThat(toOnce.get("error")).isEqualTo("ValidationError");
        assertThat(toOnce.details()).containsEntry("field", "schedule_expr");
        assertThat(toOnce.string("message")).contains("2020-01-01T00:00:00Z").contains("not in the future");
        assertThat(api.get("/tasks/" + cron).expect(200).map()).isEqualTo(before);
        Response moved = api.put("/tasks/" + once, Map.of("schedule_expr", "2020-01-01T00:00")).expect(400);
        assertThat(moved.details()).containsEntry("field", "schedule_expr");

        // and a once instant in the future is kept for the resume, which plans it
        String soon = Instant.now().plus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS).toString();
        api.put("/tasks/" + cron, Map.of("schedule_kind", "once", "schedule_expr", soon)).expect(200);
        assertThat(api.post("/tasks/" + cron + "/resume", Map.of()).expect(200).details()).containsEntry("next_run_at", soon);
    }

    @Test
    void an_event_task_whose_end_at_is_past_is_refused_naming_end_at() {
        Response created = api.post("/tasks", with(task("event", "orders.created"), "end_at", "2020-01-01T00:00:00Z")).expect(400);
        assertThat(created.details()).containsEntry("field", "end_at");
        assertThat(created.string("message")).contains("end_at");

        String id = api.post("/tasks", with(task("event", "orders.created"), "end_at", Instant.now().plusSeconds(3600).toString()))
                .expect(201).string("id");
        Response updated = api.put("/tasks/" + id, Map.of("end_at", "2020-01-01T00:00:00Z")).expect(400);
        assertThat(updated.details()).containsEntry("field", "end_at");
    }

    @Test
    void a_paused_task_whose_end_at_has_passed_cannot_be_resumed_whatever_its_kind() {
        // given a paused cron task and a paused event task, each given an end_at that is past while paused
        String future = Instant.now().plus(Duration.ofDays(3)).toString();
        String cron = api.post("/tasks", with(task("cron", "0 9 * * *"), "end_at", future)).expect(201).string("id");
        String event = api.post("/tasks", with(task("event", "orders.created"), "end_at", future)).expect(201).string("id");
        for (String id : List.of(cron, event)) {
            api.post("/tasks/" + id + "/pause", Map.of()).expect(200);
            api.put("/tasks/" + id, Map.of("end_at", "2020-01-01T00:00:00Z")).expect(200);
        }

        // when each is resumed, then each is refused with 409, stays paused, and says how to go on
        for (String id : List.of(cron, event)) {
            Response resumed = api.post("/tasks/" + id + "/resume", Map.of()).expect(409);
            assertThat(resumed.get("error")).as(id).isEqualTo("Conflict");
            assertThat(resumed.details()).as(id).containsEntry("status", "paused");
            assertThat(resumed.string("message")).as(id).contains("change its schedule to resume it");
            assertThat(api.get("/tasks/" + id).expect(200).get("status")).as(id).isEqualTo("paused");
        }

        // and once end_at is moved later the event task resumes
        api.put("/tasks/" + event, Map.of("end_at", future)).expect(200);
        assertThat(api.post("/tasks/" + event + "/resume", Map.of()).expect(200).details()).containsEntry("status", "active");
    }

    @Test
    void fractional_seconds_are_kept_wherever_an_instant_is_shown_or_compared() {
        Response once = api.post("/schedules/preview", Map.of("schedule_kind", "once",
                "schedule_expr", "2026-12-24T18:00:00.123Z", "after", "2026-01-01T00:00:00Z")).expect(200);
        assertThat(once.get("occurrences")).isEqualTo(List.of("2026-12-24T18:00:00.123Z"));

        // never before start_at: the first occurrence is start_at itself, fraction included
        Response interval = api.post("/schedules/preview", Map.of("schedule_kind", "interval", "schedule_expr", "PT1H",
                "start_at", "2026-01-01T00:00:00.5Z", "after", "2025-12-31T00:00:00Z", "count", 2)).expect(200);
        assertThat(interval.get("occurrences")).isEqualTo(List.of("2026-01-01T00:00:00.500Z", "2026-01-01T01:00:00.500Z"));

        // a once a fraction of a second past a whole second is compared as given, and quoted as given
        Instant soon = Instant.now().plusSeconds(30).truncatedTo(ChronoUnit.SECONDS).plusMillis(990);
        Response created = api.post("/tasks", task("once", soon.toString())).expect(201);
        assertThat(OffsetDateTime.parse(created.string("next_run_at")).toInstant()).isEqualTo(soon);
        assertThat(api.get("/tasks/" + created.string("id") + "/preview").expect(200).get("occurrences"))
                .isEqualTo(List.of(soon.toString()));
        Response past = api.post("/tasks", task("once", "2020-01-01T00:00:30.990Z")).expect(400);
        assertThat(past.string("message")).contains("2020-01-01T00:00:30.990Z");

        String start = Instant.now().plusSeconds(3600).truncatedTo(ChronoUnit.SECONDS).plusMillis(800).toString();
        String id = api.post("/tasks", with(task("interval", "PT1M"), "start_at", start)).expect(201).string("id");
        assertThat((List<?>) api.get("/tasks/" + id + "/preview?count=1").expect(200).get("occurrences"))
                .isEqualTo(List.of(start));
    }

    @Test
    void a_task_preview_never_lists_an_occurrence_at_or_before_the_moment_the_task_became_active() {
        // given an interval task without start_at: its base is the creation instant truncated to the second
        Response created = api.post("/tasks", task("interval", "PT1H")).expect(201);
        String id = created.string("id");
        Instant createdAt = Instant.parse(created.string("created_at"));
        Instant base = createdAt.truncatedTo(ChronoUnit.SECONDS);

        // when its preview starts before the creation, then the base (which never fires) is not listed
        Response preview = api.get("/tasks/" + id + "/preview?count=2&after=" + base.minusSeconds(5)).expect(200);
        assertThat(((List<?>) preview.get("occurrences")).stream().map(o -> Instant.parse((String) o)))
                .containsExactly(base.plusSeconds(3600), base.plusSeconds(7200))
                .allSatisfy(o -> assertThat(o).isAfter(createdAt));
        // and the first listed is next_run_at
        assertThat(Instant.parse(api.get("/tasks/" + id).expect(200).string("next_run_at"))).isEqualTo(base.plusSeconds(3600));
    }

    @Test
    void a_task_preview_lists_what_the_task_will_run_given_its_status_and_snooze() {
        String cron = "0 9 * * *";
        String active = api.post("/tasks", task("cron", cron)).expect(201).string("id");
        Response regular = api.get("/tasks/" + active + "/preview?count=3").expect(200);
        assertThat(regular.get("status")).isEqualTo("active");
        assertThat((List<?>) regular.get("occurrences")).hasSize(3);

        // snoozed: the first occurrence is at the snoozed time, as next_run_at says; the others are unchanged
        Response snoozed = api.post("/tasks/" + active + "/snooze", Map.of("delay_seconds", 30)).expect(200);
        Instant nextRunAt = Instant.parse(String.valueOf(snoozed.details().get("next_run_at")));
        List<?> after = (List<?>) api.get("/tasks/" + active + "/preview?count=3").expect(200).get("occurrences");
        assertThat(after).hasSize(3);
        assertThat(OffsetDateTime.parse((String) after.get(0)).toInstant()).isEqualTo(nextRunAt);
        assertThat(OffsetDateTime.parse(api.get("/tasks/" + active).expect(200).string("next_run_at")).toInstant()).isEqualTo(nextRunAt);
        assertThat(after.subList(1, 3)).isEqualTo(((List<?>) regular.get("occurrences")).subList(1, 3));

        // paused, canceled: nothing will fire, and status says why
        String paused = api.post("/tasks", task("cron", cron)).expect(201).string("id");
        api.post("/tasks/" + paused + "/pause", Map.of()).expect(200);
        Response pausedPreview = api.get("/tasks/" + paused + "/preview").expect(200);
        assertThat(pausedPreview.get("status")).isEqualTo("paused");
        assertThat((List<?>) pausedPreview.get("occurrences")).isEmpty();

        api.post("/tasks/" + active + "/cancel", Map.of()).expect(200);
        Response canceledPreview = api.get("/tasks/" + active + "/preview").expect(200);
        assertThat(canceledPreview.get("status")).isEqualTo("canceled");
        assertThat((List<?>) canceledPreview.get("occurrences")).isEmpty();
    }
}
