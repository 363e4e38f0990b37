package io.ordinaut.task;

import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.stereotype.Component;

import tools.jackson.databind.json.JsonMapper;

import io.ordinaut.JsonFields;
import io.ordinaut.PayloadTooLargeException;

/** Refuses a task payload over ordinaut.tasks.max-payload-bytes with 413, before it is parsed as a pipeline. */
@Component
class PayloadLimit {

    private final long maxBytes;
    private final JsonMapper json;

    PayloadLimit(TaskProperties properties, JsonMapper json) {
        this.maxBytes = properties.maxPayloadBytes();
        this.json = json;
    }

    void check(JsonFields fields) {
        if (!fields.has("payload")) {
            return;
        }
        Counter counter = new Counter();
        json.writeValue(counter, fields.raw("payload"));
        if (counter.bytes > maxBytes) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("field", "payload");
            details.put("max_bytes", maxBytes);
            details.put("bytes", counter.bytes);
            throw new PayloadTooLargeException("payload is " + counter.bytes
                    + " bytes as JSON; tasks may hold at most " + maxBytes + " (ordinaut.tasks.max-payload-bytes)", details);
        }
    }

    /** Measures the serialized size without keeping it. */
    private static final class Counter extends OutputStream {
        long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }
    }
}
