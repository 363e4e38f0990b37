package io.ordinaut.task;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * ordinaut.tasks.*: limits on what a task may hold.
 *
 * @param maxPayloadBytes largest task payload, measured as compact JSON in UTF-8 (default 256 KiB); a
 *                        create or update with a larger one answers 413. Every run of the task carries
 *                        its payload, so this bounds what runs cost in memory and in the run table.
 */
@ConfigurationProperties("ordinaut.tasks")
public record TaskProperties(Long maxPayloadBytes) {

    static final long DEFAULT_MAX_PAYLOAD_BYTES = 256 * 1024;

    public TaskProperties {
        maxPayloadBytes = maxPayloadBytes == null ? DEFAULT_MAX_PAYLOAD_BYTES : maxPayloadBytes;
        if (maxPayloadBytes < 1024) {
            throw new IllegalArgumentException("ordinaut.tasks.max-payload-bytes must be at least 1024 (got " + maxPayloadBytes + ")");
        }
    }
}
