package io.ordinaut.task;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.ordinaut.ConflictException;
import io.ordinaut.InvalidInputException;
import io.ordinaut.NotFoundException;
import io.ordinaut.queue.DueWorkQueue;
import io.ordinaut.schedule.InvalidScheduleException;
import io.ordinaut.schedule.Schedule;
import io.ordinaut.schedule.ScheduleDefinition;
import io.ordinaut.schedule.ScheduleKind;
import io.ordinaut.schedule.Schedules;
import io.ordinaut.trigger.ScheduleRegistry;

/**
 * Task lifecycle. Each change is one transaction that locks the task row, updates it, and moves the task
 * between shared schedules (and their Quartz triggers) as its status or schedule requires.
 */
@Service
public class TaskService {

    private final TaskRepository tasks;
    private final ScheduleRegistry registry;
    private final DueWorkQueue queue;
    private final PayloadValidator payloads;
    private final Clock clock;

    TaskService(TaskRepository tasks, ScheduleRegistry registry, DueWorkQueue queue, PayloadValidator payloads, Clock clock) {
        this.tasks = tasks;
        this.registry = registry;
        this.queue = queue;
        this.payloads = payloads;
        this.clock = clock;
    }

    @Transactional
    Task create(TaskSpec spec) {
        Instant now = now();
        if (!tasks.agentExists(spec.createdBy())) {
            throw new InvalidInputException("created_by", "Agent " + spec.createdBy() + " does not exist");
        }
        payloads.validate(spec.payload(), spec.createdBy());
        Schedule schedule = compile(spec, now);
        requireFutureOccurrence(schedule, spec, now);
        Task task = new Task(UUID.randomUUID(), spec.title(), spec.description(), spec.createdBy(), spec.scheduleKind(),
                spec.scheduleExpr(), spec.timezone(), spec.payload(), TaskStatus.ACTIVE, spec.priority(), spec.maxRetries(), spec.backoffStrategy(),
                spec.dedupeKey(), spec.dedupeWindowSeconds(), spec.concurrencyKey(), spec.misfireGraceSeconds(),
                spec.jitterSeconds(), spec.startAt(), spec.endAt(), null, now, null, null, now, now, spec.runPolicy());
        tasks.insert(task);
        if (firesOnTime(schedule)) {
            registry.join(task.id(), schedule, spec.misfireGraceSeconds(), now);
        }
        return get(task.id());
    }

    @Transactional(readOnly = true)
    public Task get(UUID id) {
        return tasks.find(id).orElseThrow(() -> new NotFoundException("Task", id.toString()));
    }

    /**
     * The task, if {@code owner} may see it: another agent's task answers 404 exactly as a missing one,
     * so ids reveal nothing. A null owner (an admin) sees every task.
     */
    @Transactional(readOnly = true)
    public Task get(UUID id, UUID owner) {
        return tasks.find(id).filter(t -> visibleTo(t, owner)).orElseThrow(() -> new NotFoundException("Task", id.toString()));
    }

    @Transactional(readOnly = true)
    TaskPage list(String status, String kind, UUID createdBy, int limit, int offset) {
        List<Task> items = tasks.page(status, kind, createdBy, limit, offset);
        long total = tasks.count(status, kind, createdBy);
        return new TaskPage(items, total);
    }

    @Transactional
    Task update(UUID id, UUID owner, java.util.function.Function<Task, TaskSpec> changes) {
        Instant now = now();
        Task current = lock(id, owner);
        if (current.status() == TaskStatus.CANCELED) {
            throw new ConflictException("Task " + id + " is canceled and cannot be changed", Map.of("status", "canceled"));
        }
        TaskSpec spec = changes.apply(current);
        if (!spec.createdBy().equals(current.createdBy()) && !tasks.agentExists(spec.createdBy())) {
            throw new InvalidInputException("created_by", "Agent " + spec.createdBy() + " does not exist");
        }
        payloads.validate(spec.payload(), spec.createdBy());
        Schedule schedule = compile(spec, current.createdAt());
        boolean rescheduled = !spec.sameSchedule(current);
        if (rescheduled && current.status() == TaskStatus.ACTIVE) {
            requireFutureOccurrence(schedule, spec, now);
        }
        Task updated = new Task(id, spec.title(), spec.description(), spec.createdBy(), spec.scheduleKind(),
                spec.scheduleExpr(), spec.timezone(), spec.payload(), current.status(), spec.priority(), spec.maxRetries(),
                spec.backoffStrategy(), spec.dedupeKey(), spec.dedupeWindowSeconds(), spec.concurrencyKey(),
                spec.misfireGraceSeconds(), spec.jitterSeconds(), spec.startAt(), spec.endAt(),
                rescheduled ? null : current.scheduleId(),
                rescheduled ? now : current.activeSince(),
                rescheduled ? null : current.snoozedFor(),
                rescheduled ? null : current.snoozeSeconds(),
                current.createdAt(), now, spec.runPolicy());
        tasks.update(updated);
        if (rescheduled && current.status() == TaskStatus.ACTIVE) {
            // Runs enqueued ahead for the old schedule must not run; the new schedule starts from now.
            queue.dropQueued(id, true, "canceled: the task's schedule changed");
            registry.leave(current.scheduleId());
            if (firesOnTime(schedule)) {
                registry.join(id, schedule, spec.misfireGraceSeconds(), now);
            }
        }
        return get(id);
    }

    @Transactional
    ActionResult pause(UUID id, UUID owner) {
        Task task = lock(id, owner);
        refuseIfCanceled(task, "paused");
        if (task.status() == TaskStatus.PAUSED) {
            return new ActionResult("Task " + id + " is already paused", Map.of("status", "paused"));
        }
        transition(task, TaskStatus.PAUSED, "paused");
        Instant now = now();
        tasks.update(detached(task.withStatus(TaskStatus.PAUSED, now)));
        queue.dropQueued(id, true, "canceled: the task was paused");
        registry.leave(task.scheduleId());
        return new ActionResult("Task " + id + " paused", Map.of("status", "paused"));
    }

    @Transactional
    ActionResult resume(UUID id, UUID owner) {
        Task task = lock(id, owner);
        refuseIfCanceled(task, "resumed");
        if (task.status() == TaskStatus.ACTIVE) {
            return new ActionResult("Task " + id + " is already active", details("status", "active", "next_run_at", nextRunAt(task)));
        }
        transition(task, TaskStatus.ACTIVE, "resumed");
        Instant now = now();
        Schedule schedule = compile(task);
        if (firesOnTime(schedule) && schedule.nextAfter(now).isEmpty()) {
            throw new ConflictException("Task " + id + " has no occurrences after now; change its schedule to resume it",
                    Map.of("status", task.status().wireName()));
        }
        // Resuming never replays occurrences missed while paused: the task is active from now on.
        Task resumed = new Task(task.id(), task.title(), task.description(), task.createdBy(), task.scheduleKind(),
                task.scheduleExpr(), task.timezone(), task.payload(), TaskStatus.ACTIVE, task.priority(), task.maxRetries(),
                task.backoffStrategy(), task.dedupeKey(), task.dedupeWindowSeconds(), task.concurrencyKey(),
                task.misfireGraceSeconds(), task.jitterSeconds(), task.startAt(), task.endAt(), null, now, null, null,
                task.createdAt(), now, task.runPolicy());
        tasks.update(resumed);
        if (firesOnTime(schedule)) {
            registry.join(id, schedule, task.misfireGraceSeconds(), now);
        }
        return new ActionResult("Task " + id + " resumed", details("status", "active", "next_run_at", nextRunAt(tasks.find(id).orElseThrow())));
    }

    @Transactional
    ActionResult cancel(UUID id, UUID owner) {
        Task task = lock(id, owner);
        refuseIfCanceled(task, "canceled");
        transition(task, TaskStatus.CANCELED, "canceled");
        tasks.update(detached(task.withStatus(TaskStatus.CANCELED, now())));
        int dropped = queue.dropQueued(id, false, "canceled: the task was canceled");
        registry.leave(task.scheduleId());
        return new ActionResult("Task " + id + " canceled", Map.of("status", "canceled", "queued_runs_removed", dropped));
    }

    @Transactional
    ActionResult runNow(UUID id, UUID owner) {
        Task task = lock(id, owner);
        refuseIfCanceled(task, "run");
        UUID runId;
        try {
            runId = queue.enqueueNow(id, "run_now", now());
        } catch (DueWorkQueue.DuplicateRunException e) {
            throw new ConflictException("Task " + id + ": a run with dedupe_key " + task.dedupeKey() + " was already queued within the last "
                    + task.dedupeWindowSeconds() + " s (run " + e.existingRunId() + ")",
                    Map.of("run_id", e.existingRunId(), "task_id", id, "dedupe_key", task.dedupeKey()));
        }
        return new ActionResult("Run " + runId + " of task " + id + " queued", Map.of("run_id", runId, "task_id", id));
    }

    @Transactional
    ActionResult snooze(UUID id, UUID owner, int delaySeconds, String reason) {
        Task task = lock(id, owner);
        refuseIfCanceled(task, "snoozed");
        if (task.status() != TaskStatus.ACTIVE) {
            throw new ConflictException("Task " + id + " is " + task.status().wireName() + "; only an active task can be snoozed",
                    Map.of("status", task.status().wireName()));
        }
        Instant now = now();
        Schedule schedule = compile(task);
        Instant occurrence;
        int total;
        if (task.snoozedFor() != null && task.snoozeSeconds() != null
                && task.snoozedFor().plusSeconds(task.snoozeSeconds()).isAfter(now)) {
            // Snoozing again pushes the already-snoozed occurrence further.
            occurrence = task.snoozedFor();
            total = task.snoozeSeconds() + delaySeconds;
        } else {
            occurrence = schedule.nextAfter(later(now, task.activeSince())).orElseThrow(() -> new ConflictException(
                    "Task " + id + " has no next occurrence to snooze", Map.of("schedule_kind", task.scheduleKind())));
            total = delaySeconds;
        }
        Task snoozed = new Task(task.id(), task.title(), task.description(), task.createdBy(), task.scheduleKind(),
                task.scheduleExpr(), task.timezone(), task.payload(), task.status(), task.priority(), task.maxRetries(),
                task.backoffStrategy(), task.dedupeKey(), task.dedupeWindowSeconds(), task.concurrencyKey(),
                task.misfireGraceSeconds(), task.jitterSeconds(), task.startAt(), task.endAt(), task.scheduleId(),
                task.activeSince(), occurrence, total, task.createdAt(), now, task.runPolicy());
        tasks.update(snoozed);
        queue.delayQueued(id, occurrence, delaySeconds);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("snoozed_occurrence", occurrence);
        details.put("delay_seconds", total);
        details.put("next_run_at", nextRunAt(snoozed));
        if (reason != null) {
            details.put("reason", reason);
        }
        return new ActionResult("Task " + id + " snoozed by " + delaySeconds + " s", details);
    }

    /** The instants the task's schedule fires at, strictly after {@code after}. */
    @Transactional(readOnly = true)
    List<Instant> preview(Task task, Instant after, int count) {
        return compile(task).occurrencesAfter(after, count);
    }

    /** When the task will next run: its next occurrence (or a pending snoozed one); null when it will not. */
    Instant nextRunAt(Task task) {
        if (task.status() != TaskStatus.ACTIVE || "event".equals(task.scheduleKind())) {
            return null;
        }
        Instant now = clock.instant();
        Schedule schedule = compile(task);
        Optional<Instant> regular = schedule.nextAfter(later(now, task.activeSince()));
        if (task.snoozedFor() != null && task.snoozeSeconds() != null) {
            Instant delayed = task.snoozedFor().plusSeconds(task.snoozeSeconds());
            if (regular.isPresent() && regular.get().equals(task.snoozedFor())) {
                regular = schedule.nextAfter(task.snoozedFor());
            }
            if (delayed.isAfter(now) && task.snoozedFor().isAfter(task.activeSince())) {
                return regular.filter(r -> r.isBefore(delayed)).orElse(delayed);
            }
        }
        return regular.orElse(null);
    }

    static Schedule compile(TaskSpec spec, Instant anchor) {
        return Schedules.compile(new ScheduleDefinition(ScheduleKind.fromWire(spec.scheduleKind()), spec.scheduleExpr(),
                Schedules.zone(spec.timezone()), anchor, spec.startAt(), spec.endAt()));
    }

    static Schedule compile(Task task) {
        return Schedules.compile(new ScheduleDefinition(ScheduleKind.fromWire(task.scheduleKind()), task.scheduleExpr(),
                Schedules.zone(task.timezone()), task.createdAt(), task.startAt(), task.endAt()));
    }

    private static void requireFutureOccurrence(Schedule schedule, TaskSpec spec, Instant now) {
        if (!firesOnTime(schedule) || schedule.nextAfter(now).isPresent()) {
            return;
        }
        if (schedule.definition().kind() == ScheduleKind.ONCE) {
            throw new InvalidScheduleException("schedule_expr", "once instant " + schedule.definition().expression()
                    + " is not in the future" + (spec.endAt() != null || spec.startAt() != null ? " (or lies outside start_at/end_at)" : ""));
        }
        throw new InvalidScheduleException(spec.endAt() != null ? "end_at" : "schedule_expr",
                "the schedule has no occurrences after now; check COUNT/UNTIL, start_at and end_at");
    }

    private static boolean firesOnTime(Schedule schedule) {
        return schedule.definition().kind() != ScheduleKind.EVENT;
    }

    private Task lock(UUID id, UUID owner) {
        return tasks.findForUpdate(id).filter(t -> visibleTo(t, owner))
                .orElseThrow(() -> new NotFoundException("Task", id.toString()));
    }

    private static boolean visibleTo(Task task, UUID owner) {
        return owner == null || owner.equals(task.createdBy());
    }

    private static void refuseIfCanceled(Task task, String verb) {
        if (task.status() == TaskStatus.CANCELED) {
            throw new ConflictException("Task " + task.id() + " is canceled and cannot be " + verb,
                    Map.of("status", "canceled"));
        }
    }

    private static void transition(Task task, TaskStatus next, String verb) {
        if (!task.status().canBecome(next)) {
            throw new ConflictException("Task " + task.id() + " is " + task.status().wireName() + " and cannot be " + verb,
                    Map.of("status", task.status().wireName()));
        }
    }

    private static Task detached(Task t) {
        return new Task(t.id(), t.title(), t.description(), t.createdBy(), t.scheduleKind(), t.scheduleExpr(), t.timezone(),
                t.payload(), t.status(), t.priority(), t.maxRetries(), t.backoffStrategy(), t.dedupeKey(),
                t.dedupeWindowSeconds(), t.concurrencyKey(), t.misfireGraceSeconds(), t.jitterSeconds(), t.startAt(),
                t.endAt(), null, t.activeSince(), t.snoozedFor(), t.snoozeSeconds(), t.createdAt(), t.updatedAt(), t.runPolicy());
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Map<String, Object> details(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }

    private Instant now() {
        // timestamptz keeps microseconds; truncating keeps stored and in-memory instants equal.
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    record TaskPage(List<Task> items, long total) {
    }

    record ActionResult(String message, Map<String, Object> details) {
    }
}
