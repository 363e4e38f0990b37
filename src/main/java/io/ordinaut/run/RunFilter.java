package io.ordinaut.run;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.ordinaut.queue.RunStatus;
import io.ordinaut.web.ApiException;
import io.ordinaut.web.QueryParams;

/**
 * The filters of GET /runs and GET /tasks/{id}/runs, checked: an unknown status or trigger, a malformed
 * id or instant, or an empty time range is a 400 naming the parameter. {@code owner} limits the runs
 * to tasks of one agent (null: an admin, every task).
 */
record RunFilter(UUID taskId, String status, Boolean success, String trigger, Instant startTime, Instant endTime,
                 UUID owner) {

    static final List<String> TRIGGERS = List.of("schedule", "run_now", "event", "retry", "reclaim");

    static RunFilter of(QueryParams q, UUID taskId, UUID owner) {
        String status = q.oneOf("status", RunStatus.WIRE_NAMES);
        String trigger = q.oneOf("trigger", TRIGGERS);
        Instant start = q.instant("start_time");
        Instant end = q.instant("end_time");
        if (start != null && end != null && start.isAfter(end)) {
            throw ApiException.badRequest("start_time", "start_time (" + start + ") must not be after end_time (" + end + ")");
        }
        return new RunFilter(taskId, status, q.bool("success"), trigger, start, end, owner);
    }
}
