package io.ordinaut.audit;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

import io.ordinaut.config.Setting;

/**
 * ordinaut.retention.*: how long the records that are not run history are kept (run history has
 * ordinaut.runs.retention).
 *
 * @param auditLog          audit rows older than this are deleted (default 90d)
 * @param tokens            expired or revoked tokens are deleted this long after they stopped working
 *                          (default 7d); live tokens are never deleted
 * @param missedOccurrences missed-occurrence records older than this are deleted (default 30d)
 * @param interval          how often the retention duty runs (default 10m)
 * @param batchSize         most rows deleted by one statement (default 5000)
 */
@ConfigurationProperties("ordinaut.retention")
public record RetentionProperties(Duration auditLog, Duration tokens, Duration missedOccurrences, Duration interval,
                                  Integer batchSize) {

    static final Duration DEFAULT_AUDIT_LOG = Duration.ofDays(90);
    static final Duration DEFAULT_TOKENS = Duration.ofDays(7);
    static final Duration DEFAULT_MISSED_OCCURRENCES = Duration.ofDays(30);
    static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(10);
    static final int DEFAULT_BATCH_SIZE = 5000;

    public RetentionProperties {
        auditLog = positive("audit-log", auditLog, DEFAULT_AUDIT_LOG);
        tokens = positive("tokens", tokens, DEFAULT_TOKENS);
        missedOccurrences = positive("missed-occurrences", missedOccurrences, DEFAULT_MISSED_OCCURRENCES);
        interval = positive("interval", interval, DEFAULT_INTERVAL);
        batchSize = Setting.atLeast("ordinaut.retention.batch-size", batchSize, DEFAULT_BATCH_SIZE, 1);
    }

    private static Duration positive(String name, Duration value, Duration fallback) {
        return Setting.positive("ordinaut.retention." + name, value, fallback);
    }
}
