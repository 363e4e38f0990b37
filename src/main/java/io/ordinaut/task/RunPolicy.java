package io.ordinaut.task;

import java.util.List;

import io.ordinaut.JsonFields;

/**
 * How a task's runs behave in the queue.
 *
 * @param overlapPolicy     {@code skip} (default): an occurrence that comes up while the previous run of
 *                          the task still runs is recorded as skipped; {@code queue}: it waits;
 *                          {@code allow}: runs overlap
 * @param runTimeoutSeconds how long one run may take (null: ordinaut.runs.default-run-timeout)
 * @param concurrencyLimit  how many runs of tasks sharing the concurrency_key may run at once across the
 *                          cluster (default 1)
 */
record RunPolicy(String overlapPolicy, Integer runTimeoutSeconds, int concurrencyLimit) {

    static final List<String> OVERLAP_POLICIES = List.of("skip", "queue", "allow");
    static final List<String> FIELDS = List.of("overlap_policy", "run_timeout_seconds", "concurrency_limit");
    static final RunPolicy DEFAULT = new RunPolicy("skip", null, 1);
    private static final int WEEK_SECONDS = 604_800;

    static RunPolicy forCreate(JsonFields f) {
        String overlap = f.oneOf("overlap_policy", OVERLAP_POLICIES);
        Integer limit = f.integer("concurrency_limit", 1, 10_000);
        return new RunPolicy(overlap == null ? DEFAULT.overlapPolicy() : overlap, f.integer("run_timeout_seconds", 1, WEEK_SECONDS),
                limit == null ? DEFAULT.concurrencyLimit() : limit);
    }

    /** The stored policy with the present fields applied; null resets a field to its default. */
    static RunPolicy forUpdate(RunPolicy current, JsonFields f) {
        String overlap = f.oneOf("overlap_policy", OVERLAP_POLICIES);
        Integer limit = f.integer("concurrency_limit", 1, 10_000);
        return new RunPolicy(
                f.has("overlap_policy") ? (overlap == null ? DEFAULT.overlapPolicy() : overlap) : current.overlapPolicy(),
                f.has("run_timeout_seconds") ? f.integer("run_timeout_seconds", 1, WEEK_SECONDS) : current.runTimeoutSeconds(),
                f.has("concurrency_limit") ? (limit == null ? DEFAULT.concurrencyLimit() : limit) : current.concurrencyLimit());
    }
}
