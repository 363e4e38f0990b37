package io.ordinaut.task;

import java.sql.Timestamp;
import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.ordinaut.TaskStatus;
import io.ordinaut.queue.PeriodicDuty;
import io.ordinaut.queue.StatusSql;

/**
 * Completes active event tasks whose end_at has passed, every {@link #INTERVAL_MS} on every node. A
 * time-driven task completes when its shared schedule ends ({@link CompleteTasksOnScheduleEnd}); an event
 * task has no schedule, takes events only while end_at is in the future, and without this would stay
 * active with nothing left to run — counted against its owner's open-task cap for ever.
 *
 * <p>Safe on every node at once: the tasks are locked with SKIP LOCKED, so two nodes never wait on each
 * other, and a task an API change holds (a PUT moving end_at later) is left to the next round, which sees
 * the change. The same UPDATE other completions make, so the database triggers write the same
 * {@code task.completed} outbox entry and task counts.
 */
@Component
class CompleteEventTasksAtEndAt extends PeriodicDuty {

    private static final Logger log = LoggerFactory.getLogger(CompleteEventTasksAtEndAt.class);
    /** As often as the window fires enqueue: an ended event task is completed within about that long. */
    static final long INTERVAL_MS = 5_000;
    /** Tasks completed per statement; a round repeats until fewer are left. */
    static final int BATCH = 1_000;

    /**
     * Events are taken while end_at > now (EventStore), so a task is done once end_at <= now. The statuses are
     * literals, so that every plan can read task_event_end_idx; the tasks are locked in id order with FOR NO
     * KEY UPDATE, the lock the UPDATE takes anyway, as the other multi-task changes lock them.
     */
    private static final String COMPLETE = StatusSql.of("""
            UPDATE task t SET status = {task:completed}, updated_at = :now
              FROM (SELECT id FROM task
                     WHERE schedule_kind = 'event' AND status = {task:active} AND end_at <= :now
                     ORDER BY id
                     LIMIT :batch
                     FOR NO KEY UPDATE SKIP LOCKED) e
             WHERE t.id = e.id
            """);

    // The change the statement makes, checked against the transition table when the class loads.
    static {
        TaskStatus.ACTIVE.to(TaskStatus.COMPLETED);
    }

    private final JdbcClient jdbc;
    private final Clock clock;

    CompleteEventTasksAtEndAt(JdbcClient jdbc, Clock clock) {
        super("ordinaut-event-task-end", INTERVAL_MS);
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** One round: completes every active event task whose end_at has passed; returns how many. */
    int completeEnded() {
        int completed = 0;
        int batch;
        do {
            batch = jdbc.sql(COMPLETE).param("now", Timestamp.from(clock.instant())).param("batch", BATCH).update();
            completed += batch;
        } while (batch == BATCH);
        if (completed > 0) {
            log.info("{} event tasks completed: their end_at has passed", completed);
        }
        return completed;
    }

    @Override
    protected void round() {
        completeEnded();
    }
}
