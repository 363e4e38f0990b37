package io.ordinaut.task;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import io.ordinaut.JsonFields;
import io.ordinaut.schedule.Schedule;
import io.ordinaut.schedule.ScheduleDefinition;
import io.ordinaut.schedule.ScheduleKind;
import io.ordinaut.schedule.Schedules;
import io.ordinaut.web.ApiException;
import io.ordinaut.web.RequiresScope;
import io.ordinaut.web.Scopes;

/** POST /schedules/preview: the fire times of a schedule, without creating a task. */
@RestController
@Tag(name = "schedules")
class SchedulePreviewController {

    private static final List<String> FIELDS = List.of("schedule_kind", "schedule_expr", "timezone", "count", "after",
            "start_at", "end_at");

    private final Clock clock;

    SchedulePreviewController(Clock clock) {
        this.clock = clock;
    }

    @RequiresScope(Scopes.TASKS_READ)
    @PostMapping(path = "/schedules/preview")
    @Operation(operationId = "previewSchedule", summary = "List the occurrences of a schedule without creating a task",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
            content = @Content(schema = @Schema(implementation = SchedulePreviewRequest.class))))
    Map<String, Object> preview(@RequestBody Object body) {
        JsonFields f = JsonFields.of(body).allowOnly(FIELDS);
        String kind = f.oneOf("schedule_kind", TaskSpec.KINDS);
        if (kind == null) {
            throw ApiException.badRequest("schedule_kind", "schedule_kind is required: one of " + String.join(", ", TaskSpec.KINDS));
        }
        String expr = f.string("schedule_expr", 1, 10_000);
        if (expr == null || expr.isBlank()) {
            throw ApiException.badRequest("schedule_expr", "schedule_expr is required");
        }
        String name = f.string("timezone", 1, 100);
        // echoed in its canonical spelling (utc → UTC), as a task stores it
        ZoneId zone = Schedules.zone(name == null ? "UTC" : name);
        Integer count = f.integer("count", 1, 1000);
        Instant after = f.instant("after");
        Instant now = clock.instant();
        // Without a task, the schedule is anchored (RRULE without DTSTART, interval) as if a task had been
        // created at `after` — or now, when `after` is in the future or absent.
        Instant anchor = after != null && after.isBefore(now) ? after : now;
        Schedule schedule = Schedules.compile(new ScheduleDefinition(ScheduleKind.fromWire(kind), expr, zone,
                anchor, f.instant("start_at"), f.instant("end_at")));
        Schedules.requireAffordable(schedule, after == null ? now : after);
        List<Instant> occurrences = schedule.occurrencesAfter(after == null ? now : after, count == null ? 10 : count);
        return Map.of("timezone", zone.getId(), "occurrences", OccurrenceFormat.format(occurrences, zone));
    }
}
