package io.ordinaut.task;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.UUID;
import java.util.stream.Collectors;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.ordinaut.TaskStatus;
import io.ordinaut.trigger.ScheduleEndListener;

/** A schedule without further occurrences completes its active tasks (once, COUNT, end_at). */
@Component
class CompleteTasksOnScheduleEnd implements ScheduleEndListener {

    private static final TaskStatus FROM = TaskStatus.ACTIVE;
    private static final TaskStatus TO = FROM.to(TaskStatus.COMPLETED);

    private static final String COMPLETE = """
            UPDATE task SET status = :to, schedule_id = NULL, updated_at = :now
             WHERE schedule_id = :scheduleId AND status = :from
            """;

    /**
     * Locks the tasks in id order, the order every other multi-task change takes them in, with FOR NO KEY
     * UPDATE — the lock the UPDATE takes anyway (no key column changes), so it waits for nothing a plain
     * UPDATE would not. One statement for a window fire's batch: measured on 1,000 tasks in one
     * transaction, 0.43 s against 3.3 s for one UPDATE per schedule (statement time alone, no round trips).
     */
    private static final String COMPLETE_ALL = """
            UPDATE task t SET status = :to, schedule_id = NULL, updated_at = :now
              FROM (SELECT id FROM task
                     WHERE schedule_id = ANY (CAST(:scheduleIds AS uuid[])) AND status = :from
                     ORDER BY id FOR NO KEY UPDATE) e
             WHERE t.id = e.id
            """;

    private final JdbcClient jdbc;

    CompleteTasksOnScheduleEnd(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public int scheduleEnded(UUID scheduleId, Instant at) {
        return jdbc.sql(COMPLETE)
                .param("to", TO.wireName())
                .param("from", FROM.wireName())
                .param("now", Timestamp.from(at))
                .param("scheduleId", scheduleId)
                .update();
    }

    @Override
    public int schedulesEnded(Collection<UUID> scheduleIds, Instant at) {
        if (scheduleIds.isEmpty()) {
            return 0;
        }
        return jdbc.sql(COMPLETE_ALL)
                .param("to", TO.wireName())
                .param("from", FROM.wireName())
                .param("now", Timestamp.from(at))
                .param("scheduleIds", scheduleIds.stream().map(UUID::toString).collect(Collectors.joining(",", "{", "}")))
                .update();
    }
}
