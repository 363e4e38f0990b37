package io.ordinaut.task;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;

import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

import io.ordinaut.ConflictException;
import io.ordinaut.GroupCommit;
import io.ordinaut.Horizon;
import io.ordinaut.InvalidInputException;
import io.ordinaut.NotFoundException;
import io.ordinaut.TaskStatus;
import io.ordinaut.queue.DueWorkQueue;
import io.ordinaut.schedule.InvalidScheduleException;
import io.ordinaut.schedule.Schedule;
import io.ordinaut.schedule.ScheduleDefinition;
import io.ordinaut.schedule.ScheduleKind;
import io.ordinaut.schedule.Schedules;
import io.ordinaut.trigger.ScheduleRegistry;

/**
 * Task lifecycle. Each change is one transaction that locks the task's schedules and then the task row
 * (the order fires take them), updates it, and moves the task
 * between shared schedules (and their Quartz triggers) as its status or schedule requires.
 */
@Service
public class TaskService {

    /** Reads of a task's schedule before locking it, when concurrent changes keep moving it. */
    private static final int LOCK_ATTEMPTS = 3;
    /** Most single creations stored together in one transaction (see {@link #create}). */
    static final int MAX_CREATIONS_PER_TRANSACTION = 100;
    /** Creation transactions a node runs at once (each a batch of creations). */
    private static final int CREATION_LANES = 1;

    private final TaskRepository tasks;
    private final ScheduleRegistry registry;
    private final DueWorkQueue queue;
    private final PayloadValidator payloads;
    private final TaskProperties properties;
    private final Clock clock;
    private final GroupCommit<Object, BatchOutcome> creations;

    TaskService(TaskRepository tasks, ScheduleRegistry registry, DueWorkQueue queue, PayloadValidator payloads,
                TaskProperties properties, Clock clock, PlatformTransactionManager transactionManager) {
        this.tasks = tasks;
        this.registry = registry;
        this.queue = queue;
        this.payloads = payloads;
        this.properties = properties;
        this.clock = clock;
        TransactionTemplate transaction = new TransactionTemplate(transactionManager);
        this.creations = new GroupCommit<>(specs -> transaction.execute(status -> checkAndStore(specs, false)),
                GroupCommit::unlessDatabaseUnreachable, MAX_CREATIONS_PER_TRANSACTION, CREATION_LANES);
    }

    /**
     * Stores a new task, checked exactly as a batch item is ({@link #createAll}). Creations that arrive
     * while others are being stored are stored together, in one transaction ({@link GroupCommit}): a task
     * costs PostgreSQL a share of a few set-based statements and of one commit instead of all of them, and
     * joins of one shared schedule stop queueing on its row. A creation that fails fails alone.
     *
     * @param capped whether the owner's open-task cap applies (the caller is no admin)
     */
    Task create(TaskSpec spec, boolean capped) {
        BatchOutcome outcome = creations.submit(new NewTask(spec, capped));
        if (outcome.error() != null) {
            throw outcome.error();
        }
        return outcome.task();
    }

    private static boolean finerThanMicros(Instant instant) {
        return instant != null && instant.getNano() % 1000 != 0;
    }

    /**
     * Creates many tasks in one transaction. Each spec is checked exactly as {@link #create} checks one;
     * those that pass are stored with one INSERT, each distinct shared schedule is joined once for all
     * its tasks (in sharing-key order, so two concurrent batches lock schedules in the same order), and
     * the tasks are attached to their schedules with one UPDATE.
     *
     * @param specs   the parsed items; an item the controller already refused is given as its exception
     * @param atomic  all or nothing: when any item fails, nothing is stored and {@link BatchRefused} is thrown;
     *                when the valid items would take their owner past its open-task cap, nothing is stored
     *                and a {@link ConflictException} is thrown
     * @param capped  whether the owner's open-task cap applies (the caller is no admin)
     * @return one outcome per item, in order: the created task or the exception that refused it
     */
    @Transactional
    List<BatchOutcome> createAll(List<Object> specs, boolean atomic, boolean capped) {
        return checkAndStore(specs.stream().map(s -> s instanceof TaskSpec spec ? new NewTask(spec, capped) : s).toList(), atomic);
    }

    /** @param items {@link NewTask}s, or the exceptions that already refused an item */
    private List<BatchOutcome> checkAndStore(List<Object> items, boolean atomic) {
        Instant now = now();
        Map<UUID, Boolean> owners = new HashMap<>();
        Predicate<UUID> agentExists = id -> owners.computeIfAbsent(id, tasks::agentExists);
        List<Object> checked = new ArrayList<>(items.size());
        boolean anyRefused = false;
        for (Object item : items) {
            if (item instanceof NewTask newTask) {
                try {
                    checked.add(check(newTask, now, agentExists));
                    continue;
                } catch (InvalidInputException e) {
                    item = e;
                }
            }
            checked.add(item);
            anyRefused = true;
        }
        List<BatchOutcome> outcomes = new ArrayList<>(items.size());
        if (atomic && anyRefused) {
            for (Object c : checked) {
                outcomes.add(c instanceof Checked ? new BatchOutcome(null, null) : new BatchOutcome(null, (RuntimeException) c));
            }
            throw new BatchRefused(outcomes);
        }
        refuseOverCap(checked, atomic);
        List<Checked> valid = checked.stream().filter(Checked.class::isInstance).map(Checked.class::cast).toList();
        Map<UUID, Task> stored = valid.isEmpty() ? Map.of() : store(valid);
        for (Object c : checked) {
            outcomes.add(c instanceof Checked k ? new BatchOutcome(stored.get(k.task().id()), null) : new BatchOutcome(null, (RuntimeException) c));
        }
        return outcomes;
    }

    /**
     * Stores the valid tasks of a batch: one join per distinct shared schedule, all of them set-based
     * ({@link ScheduleRegistry#joinMany}), the tasks inserted already on their schedules with one statement.
     */
    private Map<UUID, Task> store(List<Checked> valid) {
        // Grouped by sharing key and grace, as the registry shares schedules.
        Map<String, List<Checked>> bySchedule = new TreeMap<>();
        List<Task> unscheduled = new ArrayList<>();
        Map<UUID, Task> byId = new HashMap<>();
        for (Checked c : valid) {
            byId.put(c.task().id(), c.task());
            if (firesOnTime(c.schedule())) {
                bySchedule.computeIfAbsent(c.schedule().sharingKey() + "|grace=" + c.task().spec().misfireGraceSeconds(),
                        k -> new ArrayList<>()).add(c);
            } else {
                unscheduled.add(c.task());
            }
        }
        if (!unscheduled.isEmpty()) {
            tasks.insertAll(unscheduled);
        }
        List<ScheduleRegistry.Joining> groups = new ArrayList<>(bySchedule.size());
        for (List<Checked> group : bySchedule.values()) {
            Checked first = group.get(0);
            groups.add(new ScheduleRegistry.Joining(first.schedule(), first.task().spec().misfireGraceSeconds(), first.task().activeSince(),
                    group.stream().map(c -> c.task().id()).toList()));
        }
        Map<UUID, Task> stored = new HashMap<>();
        registry.joinMany(groups, scheduleOf -> {
            List<Task> attached = new ArrayList<>(scheduleOf.size());
            scheduleOf.forEach((taskId, scheduleId) -> attached.add(byId.get(taskId).onSchedule(scheduleId)));
            tasks.insertAll(attached);
            attached.forEach(t -> stored.put(t.id(), t));
        });
        unscheduled.forEach(t -> stored.put(t.id(), t));
        boolean finer = valid.stream().anyMatch(c -> finerThanMicros(c.task().spec().startAt()) || finerThanMicros(c.task().spec().endAt()));
        if (finer) {
            // As create: instants finer than microseconds are answered as stored.
            tasks.findAll(new ArrayList<>(stored.keySet())).forEach(t -> stored.put(t.id(), t));
        }
        return stored;
    }

    /**
     * Refuses the checked items that would take their owner past its open-task cap: in order, each owner's
     * items beyond the room it has left become a {@link ConflictException} (atomic: the whole call is
     * refused). The owners are locked until commit ({@link TaskRepository#lockOpenTasks}) before they are
     * counted, so concurrent creations of one agent — on any node — are counted one after the other.
     */
    private void refuseOverCap(List<Object> checked, boolean atomic) {
        if (!properties.capsOpenTasks()) {
            return;
        }
        Map<UUID, List<Integer>> byOwner = new TreeMap<>();
        for (int i = 0; i < checked.size(); i++) {
            if (checked.get(i) instanceof Checked c && c.capped()) {
                byOwner.computeIfAbsent(c.task().createdBy(), o -> new ArrayList<>()).add(i);
            }
        }
        if (byOwner.isEmpty()) {
            return;
        }
        Map<UUID, Long> open = tasks.lockOpenTasks(byOwner.keySet());
        byOwner.forEach((owner, indexes) -> {
            long room = Math.max(0, properties.maxOpenPerAgent() - open.get(owner));
            if (indexes.size() <= room) {
                return;
            }
            if (atomic) {
                throw overCap(owner, open.get(owner), indexes.size(), "the batch is atomic, so none was created");
            }
            ConflictException refused = overCap(owner, open.get(owner) + room, 1, null);
            indexes.subList((int) room, indexes.size()).forEach(i -> checked.set(i, refused));
        });
    }

    /**
     * Refuses a reactivation (resume or schedule change of a completed task) that would take a capped
     * owner past its cap. The caller took the owner's lock before the task's (see {@link #capLock}); a
     * task completed between that look and its lock is counted without it, which at worst lets a race
     * with the owner's own creations overshoot by that one task.
     */
    private void requireRoomToReactivate(Task task, UUID owner) {
        if (owner == null || !properties.capsOpenTasks()) {
            return;
        }
        long open = tasks.openTasks(List.of(task.createdBy())).get(task.createdBy());
        if (open >= properties.maxOpenPerAgent()) {
            throw overCap(task.createdBy(), open, 1, null);
        }
    }

    /**
     * Takes a capped caller's open-task lock before a change locks the task, when the task (as seen
     * unlocked) is completed and the change may reactivate it: creations take that lock before any
     * schedule lock, so a change must not take it after its own schedule and task locks.
     */
    private void capLock(UUID id, UUID owner) {
        if (owner == null || !properties.capsOpenTasks()) {
            return;
        }
        tasks.find(id).filter(t -> t.status() == TaskStatus.COMPLETED && owner.equals(t.createdBy()))
                .ifPresent(t -> tasks.lockOpenTasks(List.of(owner)));
    }

    private ConflictException overCap(UUID owner, long open, int requested, String outcome) {
        int max = properties.maxOpenPerAgent();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("agent_id", owner);
        details.put("open_tasks", open);
        details.put("max_open_tasks", max);
        details.put("requested", requested);
        return new ConflictException("Agent " + owner + " owns " + open + " open tasks (active or paused) and may own at most " + max
                + " (ordinaut.tasks.max-open-per-agent); " + (open >= max ? "it is at or over the cap already"
                : requested == 1 ? "this one would be one too many" : requested + " more would exceed it")
                + (outcome == null ? "" : "; " + outcome) + ". Cancel tasks it no longer needs, or ask an operator to raise the cap",
                details);
    }

    /** Everything create checks before it stores a task: the owner, the payload, the schedule. */
    private Checked check(NewTask newTask, Instant now, Predicate<UUID> agentExists) {
        TaskSpec spec = newTask.spec();
        if (!agentExists.test(spec.createdBy())) {
            throw new InvalidInputException("created_by", "Agent " + spec.createdBy() + " does not exist");
        }
        payloads.validate(spec.payload(), spec.createdBy());
        EventReferences.check(spec);
        Schedule schedule = compile(spec, now);
        Schedules.requireAffordable(schedule, now);
        requireFutureOccurrence(schedule, spec, now);
        return new Checked(Task.created(UUID.randomUUID(), spec, now), schedule, newTask.capped());
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
    Task update(UUID id, UUID owner, Function<Task, TaskSpec> changes) {
        Instant now = now();
        capLock(id, owner);
        Task current = lockForChange(id, owner, seen -> {
            if (seen.status() != TaskStatus.ACTIVE && seen.status() != TaskStatus.COMPLETED) {
                return null;
            }
            TaskSpec planned = changes.apply(seen);
            Schedule target = compile(planned, seen.state().createdAt());
            if (!planned.sameSchedule(seen.spec())) {
                Schedules.requireAffordable(target, now); // before the trigger's locks are taken
            }
            return planned.sameSchedule(seen.spec()) || !firesOnTime(target) ? null : new Target(target, planned.misfireGraceSeconds());
        });
        if (current.status() == TaskStatus.CANCELED) {
            throw new ConflictException("Task " + id + " is canceled and cannot be changed", Map.of("status", "canceled"));
        }
        TaskSpec spec = changes.apply(current);
        if (!spec.createdBy().equals(current.createdBy()) && !tasks.agentExists(spec.createdBy())) {
            throw new InvalidInputException("created_by", "Agent " + spec.createdBy() + " does not exist");
        }
        payloads.validate(spec.payload(), spec.createdBy());
        EventReferences.check(spec);
        Schedule schedule = compile(spec, current.state().createdAt());
        boolean rescheduled = !spec.sameSchedule(current.spec());
        if (rescheduled) {
            Schedules.requireAffordable(schedule, now);
        }
        if (rescheduled && current.status() == TaskStatus.ACTIVE) {
            requireFutureOccurrence(schedule, spec, now);
        }
        if (rescheduled) {
            requireFutureOnceInstant(spec, current.spec(), now);
        }
        // A completed task given a schedule that fires again is re-planned like an active one: active from now.
        boolean reactivated = rescheduled && current.status() == TaskStatus.COMPLETED && firesAfter(schedule, now);
        if (reactivated) {
            requireRoomToReactivate(current, owner);
        }
        Task updated = current.withSpec(spec, now);
        if (reactivated) {
            updated = updated.withStatus(TaskStatus.ACTIVE, now);
        }
        tasks.update(updated);
        if (rescheduled && (current.status() == TaskStatus.ACTIVE || reactivated)) {
            // The new schedule starts from now; runs enqueued ahead for the old one must not run.
            takeOffSchedule(current, true, "canceled: the task's schedule changed");
            putOnSchedule(updated, schedule, now);
        }
        return get(id);
    }

    @Transactional
    ActionResult pause(UUID id, UUID owner) {
        Task task = lockForChange(id, owner, seen -> null);
        refuseIfCanceled(task, "paused");
        if (task.status() == TaskStatus.PAUSED) {
            return new ActionResult("Task " + id + " is already paused", Map.of("status", "paused"));
        }
        transition(task, TaskStatus.PAUSED, "paused");
        tasks.update(task.withStatus(TaskStatus.PAUSED, now()));
        takeOffSchedule(task, true, "canceled: the task was paused");
        return new ActionResult("Task " + id + " paused", Map.of("status", "paused"));
    }

    @Transactional
    ActionResult resume(UUID id, UUID owner) {
        capLock(id, owner);
        Task task = lock(id, owner);
        refuseIfCanceled(task, "resumed");
        if (task.status() == TaskStatus.ACTIVE) {
            return new ActionResult("Task " + id + " is already active", details("status", "active", "next_run_at", nextRunAt(task)));
        }
        transition(task, TaskStatus.ACTIVE, "resumed");
        Instant now = now();
        Schedule schedule = compile(task);
        // As for a time-driven task with nothing left to fire: an event task takes events only until its
        // end_at, so one whose end_at is past would be active and never run (creation refuses it, 400).
        if (!firesAfter(schedule, now)) {
            throw new ConflictException("Task " + id + (firesOnTime(schedule) ? " has no occurrences after now"
                    : " takes events only until its end_at " + task.spec().endAt() + ", which is past")
                    + "; change its schedule to resume it", Map.of("status", task.status().wireName()));
        }
        if (task.status() == TaskStatus.COMPLETED) {
            requireRoomToReactivate(task, owner); // a paused task is open already
        }
        // Resuming never replays occurrences missed while paused: the task is active from now on.
        Task resumed = task.resumed(now);
        tasks.update(resumed);
        putOnSchedule(resumed, schedule, resumed.activeSince());
        return new ActionResult("Task " + id + " resumed", details("status", "active", "next_run_at", nextRunAt(tasks.find(id).orElseThrow())));
    }

    @Transactional
    ActionResult cancel(UUID id, UUID owner) {
        Task task = lockForChange(id, owner, seen -> null);
        refuseIfCanceled(task, "canceled");
        transition(task, TaskStatus.CANCELED, "canceled");
        tasks.update(task.withStatus(TaskStatus.CANCELED, now()));
        int dropped = takeOffSchedule(task, false, "canceled: the task was canceled");
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
            throw new ConflictException("Task " + id + ": a run with dedupe_key " + task.spec().dedupeKey() + " was already queued within the last "
                    + task.spec().dedupeWindowSeconds() + " s (run " + e.existingRunId() + ")",
                    // existing_run_id is the documented name; run_id (the same id) stays for clients already reading it
                    Map.of("existing_run_id", e.existingRunId(), "run_id", e.existingRunId(), "task_id", id,
                            "dedupe_key", task.spec().dedupeKey()));
        }
        return new ActionResult("Run " + runId + " of task " + id + " queued", Map.of("run_id", runId, "task_id", id));
    }

    @Transactional
    ActionResult snooze(UUID id, UUID owner, int delaySeconds, String reason) {
        // The schedule is locked first, as for any change: a window fire racing the snooze enqueues before
        // it (and the snooze sees those runs) or after it (and sees the snooze), never with the old state.
        Task task = lockForChange(id, owner, seen -> null);
        refuseIfCanceled(task, "snoozed");
        if (task.status() != TaskStatus.ACTIVE) {
            throw new ConflictException("Task " + id + " is " + task.status().wireName() + "; only an active task can be snoozed",
                    Map.of("status", task.status().wireName()));
        }
        Instant now = now();
        Schedule schedule = compile(task);
        Instant occurrence;
        int total;
        Instant landedOn = null;
        if (task.state().snoozedFor() != null && task.state().snoozeSeconds() != null
                && task.state().snoozedFor().plusSeconds(task.state().snoozeSeconds()).isAfter(now)) {
            // Snoozing again pushes the already-snoozed occurrence further.
            occurrence = task.state().snoozedFor();
            total = task.state().snoozeSeconds() + delaySeconds;
            landedOn = occurrence.plusSeconds(task.state().snoozeSeconds());
        } else {
            occurrence = schedule.nextAfter(later(now, task.activeSince())).orElseThrow(() -> new ConflictException(
                    "Task " + id + " has no next occurrence to snooze", Map.of("schedule_kind", task.spec().scheduleKind())));
            total = delaySeconds;
        }
        if (occurrence.plusSeconds(total).isAfter(Horizon.LATEST)) {
            throw new ConflictException("Task " + id + ": snoozing by " + total + " s would move its occurrence " + occurrence
                    + " past " + Horizon.LATEST + ", the last instant a task can run at", Map.of("snoozed_occurrence", occurrence));
        }
        Instant endAt = task.spec().endAt();
        if (endAt != null && occurrence.plusSeconds(total).isAfter(endAt)) {
            // Nothing fires after end_at: the run would be enqueued with its delay all the same, and run late.
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("snoozed_occurrence", occurrence);
            details.put("delay_seconds", total);
            details.put("end_at", endAt);
            throw new ConflictException("Task " + id + ": snoozing by " + total + " s would move its occurrence " + occurrence
                    + " to " + occurrence.plusSeconds(total) + ", after its end_at " + endAt + "; nothing fires after end_at", details);
        }
        Task snoozed = task.snoozed(occurrence, total, now);
        tasks.update(snoozed);
        queue.delayQueued(id, occurrence, delaySeconds);
        // A delayed run that lands on a regular occurrence fires once with it, as the snoozed run: the
        // enqueue leaves that occurrence out, and a run enqueued for it ahead is folded here. The one it
        // landed on before this snooze (if any) is a regular occurrence again.
        queue.foldIntoSnoozedRun(id, occurrence.plusSeconds(total), occurrence);
        if (landedOn != null) {
            queue.enqueueEnqueuedOccurrence(id, landedOn);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("snoozed_occurrence", occurrence);
        details.put("delay_seconds", total);
        details.put("next_run_at", nextRunAt(snoozed));
        if (reason != null) {
            details.put("reason", reason);
        }
        return new ActionResult("Task " + id + " snoozed by " + delaySeconds + " s", details);
    }

    /**
     * The instants the task will run at, strictly after {@code after}: none unless it is active (a paused,
     * completed or canceled task fires nothing); otherwise {@link #planned}.
     */
    @Transactional(readOnly = true)
    List<Instant> preview(Task task, Instant after, int count) {
        if (task.status() != TaskStatus.ACTIVE) {
            return List.of();
        }
        return planned(task, compile(task), after, count);
    }

    /** When the task will next run: the first of {@link #planned} after now; null when it will not run on time. */
    Instant nextRunAt(Task task) {
        if (task.status() != TaskStatus.ACTIVE || "event".equals(task.spec().scheduleKind())) {
            return null;
        }
        List<Instant> next = planned(task, compile(task), clock.instant(), 1);
        return next.isEmpty() ? null : next.get(0);
    }

    /**
     * The first {@code count} instants an active task fires at strictly after {@code after}, as the queue
     * enqueues them: none at or before the moment it became active (an interval's base, the creation
     * instant truncated to the second, or occurrences before a resume: runs are enqueued only for
     * occurrences after active_since), and a snooze's occurrence at its delayed instant — once, when that
     * is also a regular occurrence, which the snoozed run stands for (the enqueue leaves it out).
     */
    private static List<Instant> planned(Task task, Schedule schedule, Instant after, int count) {
        Instant from = later(after, task.activeSince());
        Instant snoozedFor = task.state().snoozedFor();
        if (snoozedFor == null || !snoozedFor.isAfter(task.activeSince())) {
            return schedule.occurrencesAfter(from, count);
        }
        // One more than asked: the snoozed occurrence may be among them and leave.
        TreeSet<Instant> planned = new TreeSet<>(schedule.occurrencesAfter(from, count + 1));
        planned.remove(snoozedFor);
        Instant delayed = snoozedFor.plusSeconds(task.state().snoozeSeconds());
        if (delayed.isAfter(from)) {
            planned.add(delayed);
        }
        return planned.stream().limit(count).toList();
    }

    static Schedule compile(TaskSpec spec, Instant anchor) {
        return Schedules.compile(new ScheduleDefinition(ScheduleKind.fromWire(spec.scheduleKind()), spec.scheduleExpr(),
                Schedules.zone(spec.timezone()), anchor, spec.startAt(), spec.endAt()));
    }

    static Schedule compile(Task task) {
        return Schedules.compile(new ScheduleDefinition(ScheduleKind.fromWire(task.spec().scheduleKind()), task.spec().scheduleExpr(),
                Schedules.zone(task.spec().timezone()), task.state().createdAt(), task.spec().startAt(), task.spec().endAt()));
    }

    private static void requireFutureOccurrence(Schedule schedule, TaskSpec spec, Instant now) {
        if (!firesOnTime(schedule)) {
            // An event task runs only for events published by end_at: a past end_at leaves it nothing to run.
            if (spec.endAt() != null && !spec.endAt().isAfter(now)) {
                throw new InvalidScheduleException("end_at", "end_at " + spec.endAt() + " is not in the future: the event"
                        + " task would never run; move end_at later or leave it out");
            }
            return;
        }
        if (schedule.nextAfter(now).isPresent()) {
            return;
        }
        if (schedule.definition().kind() == ScheduleKind.ONCE) {
            throw new InvalidScheduleException("schedule_expr", "once instant " + schedule.definition().expression()
                    + " is not in the future" + (spec.endAt() != null || spec.startAt() != null ? " (or lies outside start_at/end_at)" : ""));
        }
        throw new InvalidScheduleException(spec.endAt() != null ? "end_at" : "schedule_expr",
                "the schedule has no occurrences after now; check COUNT/UNTIL, start_at and end_at (none after the year 9999 count)");
    }

    /**
     * A once instant that is not in the future could never fire, whatever the task's status: refused when a
     * change gives it (as at creation), not kept for a resume that could only refuse it. A change that keeps
     * the instant (its bounds, the zone of an instant written with an offset) is judged as before; bounds
     * are judged by the status, as for every kind (see the caller): a paused task's end_at may still move.
     */
    private static void requireFutureOnceInstant(TaskSpec spec, TaskSpec current, Instant now) {
        if (!"once".equals(spec.scheduleKind())) {
            return;
        }
        Instant at = onceInstant(spec, now);
        if (at.isAfter(now) || "once".equals(current.scheduleKind()) && at.equals(onceInstant(current, now))) {
            return;
        }
        throw new InvalidScheduleException("schedule_expr", "once instant " + at + " is not in the future");
    }

    /** The instant a once schedule fires at, its bounds aside (within the years 1–9999, or it is refused). */
    private static Instant onceInstant(TaskSpec spec, Instant now) {
        Schedule unbounded = Schedules.compile(new ScheduleDefinition(ScheduleKind.ONCE, spec.scheduleExpr(),
                Schedules.zone(spec.timezone()), now, null, null));
        return unbounded.nextAfter(Horizon.EARLIEST.minusNanos(1)).orElseThrow();
    }

    /** Whether the schedule has an occurrence after {@code now}: a time-driven one, or an event one not yet ended. */
    private static boolean firesAfter(Schedule schedule, Instant now) {
        if (!firesOnTime(schedule)) {
            return schedule.definition().endAt() == null || schedule.definition().endAt().isAfter(now);
        }
        return schedule.nextAfter(now).isPresent();
    }

    private static boolean firesOnTime(Schedule schedule) {
        return schedule.definition().kind() != ScheduleKind.EVENT;
    }

    /**
     * Locks what a change to a task on a shared schedule touches, in the order the schedule's fire takes
     * them (schedule rows, then task rows): the task's current schedule and the one it moves to (see
     * {@link ScheduleRegistry#lockInOrder}), then the task. So a fire racing the change either enqueues
     * before it (and the change drops those runs) or after it (and no longer sees the task), and no two
     * changes or a change and a final fire deadlock. The task's schedule is read before its row is
     * locked; if a concurrent change moved it meanwhile, the read is repeated.
     */
    private Task lockForChange(UUID id, UUID owner, Function<Task, Target> targetOf) {
        for (int attempt = 1; ; attempt++) {
            Task seen = tasks.find(id).filter(t -> visibleTo(t, owner))
                    .orElseThrow(() -> new NotFoundException("Task", id.toString()));
            Target target = targetOf.apply(seen);
            registry.lockInOrder(seen.scheduleId(), target == null ? null : target.schedule(),
                    target == null ? 0 : target.misfireGraceSeconds());
            Task locked = lock(id, owner);
            if (Objects.equals(locked.scheduleId(), seen.scheduleId())) {
                return locked;
            }
            if (attempt == LOCK_ATTEMPTS) {
                // Still correct, only without the fixed order: the schedule is locked before any run is dropped.
                registry.lockInOrder(locked.scheduleId(), null, 0);
                return locked;
            }
        }
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

    /**
     * The one way a task leaves its shared schedule (pause, cancel, schedule change): its queued runs are
     * dropped — only scheduled ones, or all of them — and the schedule goes away with its last task. The
     * schedule is locked (lockForChange), so no fire of it can add a run after the drop.
     *
     * @return how many queued runs were dropped
     */
    private int takeOffSchedule(Task task, boolean scheduledOnly, String reason) {
        int dropped = queue.dropQueued(task.id(), scheduledOnly, reason);
        registry.leave(task.scheduleId());
        return dropped;
    }

    /**
     * Joins the shared schedule of a time-driven active task (event tasks have none); it is on the
     * schedule from {@code since} (a change or resume: now).
     */
    private void putOnSchedule(Task task, Schedule schedule, Instant since) {
        if (firesOnTime(schedule)) {
            registry.join(task.id(), schedule, task.spec().misfireGraceSeconds(), since, id -> tasks.attach(task.id(), id));
        }
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

    /** The schedule a change moves a task to. */
    private record Target(Schedule schedule, int misfireGraceSeconds) {
    }

    record TaskPage(List<Task> items, long total) {
    }

    /** A task that passed create's checks, not yet stored, with its compiled schedule; capped: its owner's cap applies. */
    private record Checked(Task task, Schedule schedule, boolean capped) {
    }

    /** A creation as asked: capped when the caller is no admin, so its owner's open-task cap applies. */
    private record NewTask(TaskSpec spec, boolean capped) {
    }

    /** One item of a batch: the created task, or the exception that refused it (neither: valid, not stored). */
    record BatchOutcome(Task task, RuntimeException error) {
    }

    /** An atomic batch with refused items: nothing was stored; {@link #outcomes()} says which items failed. */
    static final class BatchRefused extends RuntimeException {

        private final transient List<BatchOutcome> outcomes;

        BatchRefused(List<BatchOutcome> outcomes) {
            super(outcomes.stream().filter(o -> o.error() != null).count() + " of " + outcomes.size()
                    + " tasks are invalid; the batch is atomic, so none was created");
            this.outcomes = outcomes;
        }

        List<BatchOutcome> outcomes() {
            return outcomes;
        }
    }

    record ActionResult(String message, Map<String, Object> details) {
    }
}
