package io.ordinaut.pipeline;

import org.springframework.boot.context.properties.ConfigurationProperties;

import io.ordinaut.config.Setting;

/**
 * ordinaut.pipeline.*: bounds on the values a run builds. Every agent is treated as hostile: a pipeline
 * may try to build a value that exhausts the node (memory, or the writer that stores run results), so
 * each value is measured while it is walked — as compact JSON, a character counting as a byte — and
 * refused as soon as it passes its bound. What a single expression builds is bounded too, by fixed
 * limits ({@link BoundedJmesPath}).
 *
 * @param maxDepth          deepest nesting of objects and arrays in a step's rendered arguments and in a
 *                          step's output (default {@value #DEFAULT_MAX_DEPTH}, at most 256); deeper fails the
 *                          step, not retried. Keeps every stored run output well within the JSON writer's
 *                          nesting limit; a value that holds itself is refused as infinitely deep
 * @param maxArgumentBytes  largest rendered {@code with} of a step (default 1 MiB); larger fails the step
 *                          before its tool is called, not retried
 * @param maxStepOutputBytes largest output of one step (default 4 MiB); larger fails the step, not retried
 * @param maxRunOutputBytes largest total of the outputs a run saves (default 8 MiB); the step that would
 *                          pass it fails, not retried
 */
@ConfigurationProperties("ordinaut.pipeline")
public record PipelineProperties(Integer maxDepth, Long maxArgumentBytes, Long maxStepOutputBytes, Long maxRunOutputBytes) {

    public static final int DEFAULT_MAX_DEPTH = 64;
    public static final long DEFAULT_MAX_ARGUMENT_BYTES = 1L << 20;
    public static final long DEFAULT_MAX_STEP_OUTPUT_BYTES = 4L << 20;
    public static final long DEFAULT_MAX_RUN_OUTPUT_BYTES = 8L << 20;
    /** Past this a single value costs too much memory on a node running many runs at once. */
    private static final long MAX_BYTES = 256L << 20;

    public PipelineProperties {
        maxDepth = (int) range("max-depth", maxDepth == null ? null : maxDepth.longValue(), DEFAULT_MAX_DEPTH, 1,
                BoundedWalk.MAX_NESTING);
        maxArgumentBytes = range("max-argument-bytes", maxArgumentBytes, DEFAULT_MAX_ARGUMENT_BYTES, 1024, MAX_BYTES);
        maxStepOutputBytes = range("max-step-output-bytes", maxStepOutputBytes, DEFAULT_MAX_STEP_OUTPUT_BYTES, 1024, MAX_BYTES);
        maxRunOutputBytes = range("max-run-output-bytes", maxRunOutputBytes, DEFAULT_MAX_RUN_OUTPUT_BYTES, 1024, MAX_BYTES);
        if (maxRunOutputBytes < maxStepOutputBytes) {
            throw Setting.invalid("ordinaut.pipeline.max-run-output-bytes", maxRunOutputBytes, "a whole number of at least"
                    + " ordinaut.pipeline.max-step-output-bytes (" + maxStepOutputBytes + ") and at most " + MAX_BYTES);
        }
    }

    public static PipelineProperties defaults() {
        return new PipelineProperties(null, null, null, null);
    }

    private static long range(String name, Long value, long fallback, long min, long max) {
        return Setting.between("ordinaut.pipeline." + name, value, fallback, min, max);
    }
}
