package io.ordinaut.pipeline;

import java.time.Instant;
import java.util.Map;

/**
 * What expressions see during one run: the JSON-shaped root context ({@code params}, {@code steps},
 * {@code now}, …), the run's start instant for time arithmetic, and how much output it has saved.
 */
record RunScope(Map<String, Object> root, Instant now, OutputTally outputs) {

    RunScope(Map<String, Object> root, Instant now) {
        this(root, now, new OutputTally());
    }

    /** The size of the outputs the run saved so far, against ordinaut.pipeline.max-run-output-bytes. */
    static final class OutputTally {
        long bytes;
    }
}
