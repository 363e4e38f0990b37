package io.ordinaut.task;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.ordinaut.InvalidInputException;
import io.ordinaut.JsonFields;
import io.ordinaut.schedule.Schedules;

/**
 * The user-settable fields of a task, read and checked from a request body: defaults for a create,
 * or the stored values overlaid with the fields present for a partial update.
 */
record TaskSpec(
        String title,
        String description,
        String scheduleKind,
        String scheduleExpr,
        String timezone,
        Map<String, Object> payload,
        int priority,
        int maxRetries,
        String backoffStrategy,
        String dedupeKey,
        Integer dedupeWindowSeconds,
        String concurrencyKey,
        UUID createdBy,
        int misfireGraceSeconds,
        int jitterSeconds,
        Instant startAt,
        Instant endAt,
        RunPolicy runPolicy) {

    static final UUID SYSTEM_AGENT = UUID.fromString("00000000-0000-0000-0000-000000000001");
    static final List<String> KINDS = List.of("cron", "rrule", "once", "interval", "event");
    static final List<String> BACKOFF = List.of("exponential_jitter", "linear", "fixed");
    static final int DEFAULT_MISFIRE_GRACE = 3600;
    private static final int YEAR_SECONDS = 366 * 24 * 3600;

    static final Set<String> UPDATABLE = Set.of("title", "description", "schedule_kind", "schedule_expr", "timezone",
            "payload", "priority", "max_retries", "backoff_strategy", "dedupe_key", "dedupe_window_seconds",
            "concurrency_key", "misfire_grace_seconds", "jitter_seconds", "start_at", "end_at", "overlap_policy",
            "run_timeout_seconds", "concurrency_limit");
    static final Set<String> CREATABLE = union(UPDATABLE, "created_by");
    static final Set<String> SCHEDULE_FIELDS = Set.of("schedule_kind", "schedule_expr", "timezone", "start_at", "end_at",
            "misfire_grace_seconds");

    static TaskSpec forCreate(JsonFields f) {
        f.allowOnly(CREATABLE);
        String title = title(f);
        if (title == null) {
            throw new InvalidInputException("title", "title is required");
        }
        if (f.raw("schedule_kind") == null) {
            throw new InvalidInputException("schedule_kind", "schedule_kind is required: one of " + String.join(", ", KINDS));
        }
        if (f.raw("schedule_expr") == null) {
            throw new InvalidInputException("schedule_expr", "schedule_expr is required for every schedule kind");
        }
        if (f.raw("payload") == null) {
            throw new InvalidInputException("payload", "payload is required: an object with a pipeline array and optional params");
        }
        return new TaskSpec(
                title,
                description(f),
                f.oneOf("schedule_kind", KINDS),
                scheduleExpr(f),
                timezone(f),
                f.object("payload"),
                priority(f),
                maxRetries(f),
                backoffStrategy(f),
                f.string("dedupe_key", 1, 200),
                f.integer("dedupe_window_seconds", 0, YEAR_SECONDS),
                f.string("concurrency_key", 1, 200),
                orDefault(f.uuid("created_by"), SYSTEM_AGENT),
                misfireGraceSeconds(f),
                jitterSeconds(f),
                f.instant("start_at"),
                f.instant("end_at"),
                RunPolicy.forCreate(f));
    }

    /**
     * The stored task with the present fields of a partial update applied. JSON null resets an optional
     * field to its default (as if the task had been created without it); the required fields and
     * created_by cannot be cleared. Clearing dedupe_key clears dedupe_window_seconds too: a window without
     * a key dedupes nothing, and a key set later should not inherit a window nobody chose for it.
     */
    static TaskSpec forUpdate(TaskSpec t, JsonFields f) {
        f.allowOnly(CREATABLE);
        for (String required : List.of("title", "schedule_kind", "schedule_expr", "payload")) {
            if (f.isNull(required)) {
                throw new InvalidInputException(required, required + " is required and cannot be cleared with null");
            }
        }
        if (f.isNull("created_by")) {
            throw new InvalidInputException("created_by", "created_by cannot be null: give the id of the agent to own the task");
        }
        boolean keyCleared = f.isNull("dedupe_key");
        if (keyCleared && f.has("dedupe_window_seconds") && !f.isNull("dedupe_window_seconds")) {
            throw new InvalidInputException("dedupe_window_seconds",
                    "dedupe_window_seconds needs a dedupe_key, which this update clears");
        }
        return new TaskSpec(
                f.has("title") ? title(f) : t.title(),
                f.has("description") ? description(f) : t.description(),
                f.has("schedule_kind") ? f.oneOf("schedule_kind", KINDS) : t.scheduleKind(),
                f.has("schedule_expr") ? scheduleExpr(f) : t.scheduleExpr(),
                f.has("timezone") ? timezone(f) : t.timezone(),
                f.has("payload") ? f.object("payload") : t.payload(),
                f.has("priority") ? priority(f) : t.priority(),
                f.has("max_retries") ? maxRetries(f) : t.maxRetries(),
                f.has("backoff_strategy") ? backoffStrategy(f) : t.backoffStrategy(),
                f.has("dedupe_key") ? f.string("dedupe_key", 1, 200) : t.dedupeKey(),
                keyCleared ? null
                        : f.has("dedupe_window_seconds") ? f.integer("dedupe_window_seconds", 0, YEAR_SECONDS) : t.dedupeWindowSeconds(),
                f.has("concurrency_key") ? f.string("concurrency_key", 1, 200) : t.concurrencyKey(),
                f.has("created_by") ? f.uuid("created_by") : t.createdBy(),
                f.has("misfire_grace_seconds")
                        ? misfireGraceSeconds(f) : t.misfireGraceSeconds(),
                f.has("jitter_seconds") ? jitterSeconds(f) : t.jitterSeconds(),
                f.has("start_at") ? f.instant("start_at") : t.startAt(),
                f.has("end_at") ? f.instant("end_at") : t.endAt(),
                RunPolicy.forUpdate(t.runPolicy(), f));
    }

    TaskSpec ownedBy(UUID owner) {
        return new TaskSpec(title, description, scheduleKind, scheduleExpr, timezone, payload, priority, maxRetries,
                backoffStrategy, dedupeKey, dedupeWindowSeconds, concurrencyKey, owner, misfireGraceSeconds, jitterSeconds,
                startAt, endAt, runPolicy);
    }

    boolean sameSchedule(TaskSpec t) {
        return scheduleKind.equals(t.scheduleKind()) && scheduleExpr.equals(t.scheduleExpr()) && timezone.equals(t.timezone())
                && java.util.Objects.equals(startAt, t.startAt()) && java.util.Objects.equals(endAt, t.endAt())
                && misfireGraceSeconds == t.misfireGraceSeconds();
    }

    private static String title(JsonFields f) {
        String title = f.string("title", 1, 200);
        if (title != null && title.isBlank()) {
            throw new InvalidInputException("title", "title must not be blank");
        }
        return title;
    }

    // The optional fields with a default, read one way for a create and for an update (where null resets
    // the field): absent or null gives the default.

    private static String description(JsonFields f) {
        return orDefault(f.string("description", 0, 2000), "");
    }

    /**
     * The zone in its canonical IANA spelling ({@code europe/paris} → {@code Europe/Paris}), UTC by default:
     * zones are accepted in any letter case, and stored, echoed and compared (the runs' context, the task
     * views) as one spelling.
     */
    private static String timezone(JsonFields f) {
        String name = f.string("timezone", 1, 100);
        return name == null ? "UTC" : Schedules.zone(name).getId();
    }

    private static int priority(JsonFields f) {
        return orDefault(f.integer("priority", 1, 9), 5);
    }

    private static int maxRetries(JsonFields f) {
        return orDefault(f.integer("max_retries", 0, 10), 3);
    }

    private static String backoffStrategy(JsonFields f) {
        return orDefault(f.oneOf("backoff_strategy", BACKOFF), "exponential_jitter");
    }

    private static int misfireGraceSeconds(JsonFields f) {
        return orDefault(f.integer("misfire_grace_seconds", 0, YEAR_SECONDS), DEFAULT_MISFIRE_GRACE);
    }

    private static int jitterSeconds(JsonFields f) {
        return orDefault(f.integer("jitter_seconds", 0, 86_400), 0);
    }

    private static String scheduleExpr(JsonFields f) {
        String expr = f.string("schedule_expr", 1, 10_000);
        if (expr != null && expr.isBlank()) {
            throw new InvalidInputException("schedule_expr", "schedule_expr must not be blank");
        }
        return expr;
    }

    private static <T> T orDefault(T value, T fallback) {
        return value == null ? fallback : value;
    }

    private static Set<String> union(Set<String> a, String b) {
        java.util.HashSet<String> s = new java.util.HashSet<>(a);
        s.add(b);
        return Set.copyOf(s);
    }
}
