package io.ordinaut.pipeline;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * ordinaut.pipeline.*: bounds on the values a run builds. Every agent is treated as hostile: a pipeline
 * may try to build a value that exhausts the node (memory, or the writer that stores run results), so
 * each value is measured while it is walked and refused once it passes its bound.
 *
 * @param maxDepth            deepest nesting of objects and arrays in a step's rendered arguments and in a
 *                            step's output (default {@value #DEFAULT_MAX_DEPTH}, at most 256); deeper fails the
 *                            step, not retried. Keeps every stored run output well within the JSON writer's
 *                            nesting limit; a value that holds itself is refused as infinitely deep
 */
@ConfigurationProperties("ordinaut.pipeline")
public record PipelineProperties(Integer maxDepth) {

    public static final int DEFAULT_MAX_DEPTH = 64;

    public PipelineProperties {
        maxDepth = range("max-depth", maxDepth, DEFAULT_MAX_DEPTH, 1, BoundedWalk.MAX_NESTING);
    }

    public static PipelineProperties defaults() {
        return new PipelineProperties(null);
    }

    private static int range(String name, Integer value, int fallback, int min, int max) {
        if (value == null) {
            return fallback;
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException("ordinaut.pipeline." + name + " must be between " + min + " and " + max
                    + " (got " + value + ")");
        }
        return value;
    }
}
