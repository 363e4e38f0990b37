package io.ordinaut.task;

import org.springframework.boot.context.properties.ConfigurationProperties;

import io.ordinaut.config.Setting;

/**
 * ordinaut.tasks.*: limits on what a task may hold, and on how many tasks an agent may keep.
 *
 * @param maxPayloadBytes largest task payload, measured as compact JSON in UTF-8 (default 256 KiB); a
 *                        create or update with a larger one answers 413. Every run of the task carries
 *                        its payload, so this bounds what runs cost in memory and in the run table.
 * @param maxOpenPerAgent most tasks a non-admin agent may own that are not canceled or completed (active
 *                        or paused; default 10,000; {@code ORDINAUT_MAX_OPEN_TASKS_PER_AGENT}); 0 means no
 *                        cap. A creation, or a resume or schedule change that reactivates a completed task,
 *                        that would go beyond it answers 409. It keeps an agent — or a prompt injected into
 *                        one — from filling the database; admins are not capped.
 */
@ConfigurationProperties("ordinaut.tasks")
public record TaskProperties(Long maxPayloadBytes, Integer maxOpenPerAgent) {

    static final long DEFAULT_MAX_PAYLOAD_BYTES = 256 * 1024;
    static final int DEFAULT_MAX_OPEN_PER_AGENT = 10_000;

    public TaskProperties {
        maxPayloadBytes = Setting.atLeast("ordinaut.tasks.max-payload-bytes", maxPayloadBytes, DEFAULT_MAX_PAYLOAD_BYTES, 1024);
        maxOpenPerAgent = maxOpenPerAgent == null ? DEFAULT_MAX_OPEN_PER_AGENT : maxOpenPerAgent;
        if (maxOpenPerAgent < 0) {
            throw Setting.invalid("ordinaut.tasks.max-open-per-agent", maxOpenPerAgent, "a whole number of at least 0 (0: no cap)");
        }
    }

    /** Whether the open-task cap applies at all. */
    boolean capsOpenTasks() {
        return maxOpenPerAgent > 0;
    }
}
