package io.ordinaut.run;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The filters of GET /runs and GET /tasks/{id}/runs, checked: an unknown status or trigger, a malformed
 * id or instant, or an empty time range is a 400 naming the parameter. {@code owner} limits the runs
 * to tasks of one agent (null: an admin, every task).
 */
record RunFilter(UUID taskId, String status, Boolean success, String trigger, Instant startTime, Instant endTime,
                 UUID owner) {

    static final List<String> TRIGGERS = List.of("schedule", "run_now", "event", "retry", "reclaim");
}
