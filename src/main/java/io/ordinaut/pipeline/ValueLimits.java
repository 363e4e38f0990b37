package io.ordinaut.pipeline;

import java.util.Map;

import io.ordinaut.tool.ToolCallException;

/**
 * The bounds of {@link PipelineProperties} applied to one step's values: its rendered arguments are
 * copied within them (so they never alias the live context), and its output is measured before it is
 * saved, so a value the node could not hold or store fails the step that produced it.
 */
final class ValueLimits {

    static final ValueLimits DEFAULTS = new ValueLimits(PipelineProperties.defaults());

    private final BoundedWalk arguments;
    private final BoundedWalk outputs;
    private final long maxRunOutputBytes;

    ValueLimits(PipelineProperties properties) {
        this.arguments = new BoundedWalk(properties.maxDepth(), "ordinaut.pipeline.max-depth",
                properties.maxArgumentBytes(), "ordinaut.pipeline.max-argument-bytes");
        this.outputs = new BoundedWalk(properties.maxDepth(), "ordinaut.pipeline.max-depth",
                properties.maxStepOutputBytes(), "ordinaut.pipeline.max-step-output-bytes", true);
        this.maxRunOutputBytes = properties.maxRunOutputBytes();
    }

    /**
     * @throws EvaluationException (fails the step, never retried) when the arguments pass a bound
     */
    @SuppressWarnings("unchecked")
    Map<String, Object> arguments(Step step, Map<String, Object> rendered) {
        try {
            return (Map<String, Object>) arguments.copy(rendered);
        } catch (BoundedWalk.LimitExceeded e) {
            throw new EvaluationException("payload.pipeline[" + step.index() + "].with", "rendered arguments refused: " + e.getMessage(), e);
        }
    }

    /**
     * Counts the output into the run's total.
     *
     * @throws ToolCallException not retryable (the tool would answer alike) when the output passes a bound
     */
    Object output(Step step, Object output, RunScope.OutputTally run) {
        long bytes;
        try {
            bytes = outputs.measure(output);
        } catch (BoundedWalk.LimitExceeded e) {
            throw new ToolCallException("output of " + step.uses() + " refused: " + e.getMessage(), false);
        }
        if (run.bytes + bytes > maxRunOutputBytes) {
            throw new ToolCallException("output of " + step.uses() + " refused: the run's outputs would be larger than "
                    + BoundedWalk.bytes(maxRunOutputBytes) + " (ordinaut.pipeline.max-run-output-bytes)", false);
        }
        run.bytes += bytes;
        return output;
    }
}
