package io.ordinaut.queue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import io.ordinaut.pipeline.PipelineDefinition;

/**
 * Parsed pipelines by payload text, least recently used first out, bounded by the memory they hold
 * rather than their number: payloads may be up to ordinaut.tasks.max-payload-bytes each, so ten thousand
 * of them could be gigabytes. A payload's cost is estimated from its text — the key itself (two bytes a
 * character) plus the parsed steps, templates and expressions, which take about as much again.
 */
final class ParsedPipelines {

    static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;
    private static final int BYTES_PER_CHAR = 4;

    private final long maxBytes;
    private final LinkedHashMap<String, PipelineDefinition> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    ParsedPipelines(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    static long cost(String payloadJson) {
        return (long) payloadJson.length() * BYTES_PER_CHAR;
    }

    /** The cached parse of this payload, or a fresh one (cached unless it alone would take an eighth of the budget). */
    PipelineDefinition get(String payloadJson, Function<String, PipelineDefinition> parse) {
        synchronized (this) {
            PipelineDefinition cached = entries.get(payloadJson);
            if (cached != null) {
                return cached;
            }
        }
        // Parse outside the lock: two threads may parse the same payload once each, which is harmless.
        PipelineDefinition parsed = parse.apply(payloadJson);
        long cost = cost(payloadJson);
        if (cost > maxBytes / 8) {
            return parsed;
        }
        synchronized (this) {
            if (entries.put(payloadJson, parsed) == null) {
                bytes += cost;
            }
            var eldest = entries.entrySet().iterator();
            while (bytes > maxBytes && eldest.hasNext()) {
                Map.Entry<String, PipelineDefinition> e = eldest.next();
                bytes -= cost(e.getKey());
                eldest.remove();
            }
        }
        return parsed;
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized int size() {
        return entries.size();
    }
}
