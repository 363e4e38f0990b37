package io.ordinaut.task;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;

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
}
