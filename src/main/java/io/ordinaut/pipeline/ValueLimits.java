package io.ordinaut.pipeline;

import java.util.Map;

import io.ordinaut.tool.ToolCallException;

/**
 * The bounds of {@link PipelineProperties} applied to one step's values: its rendered arguments are
 * copied within them (so they never alias the live context), and its output is checked before it is
 * saved, so a value the run's result could not be stored with fails the step that produced it.
 */
final class ValueLimits {

    static final ValueLimits DEFAULTS = new ValueLimits(PipelineProperties.defaults());

    private final BoundedWalk walk;

    ValueLimits(PipelineProperties properties) {
        this.walk = new BoundedWalk(properties.maxDepth(), "ordinaut.pipeline.max-depth");
    }

    /**
     * @throws EvaluationException (fails the step, never retried) when the arguments pass a bound
     */
    @SuppressWarnings("unchecked")
    Map<String, Object> arguments(Step step, Map<String, Object> rendered) {
        try {
            return (Map<String, Object>) walk.copy(rendered);
        } catch (BoundedWalk.LimitExceeded e) {
            throw new EvaluationException("payload.pipeline[" + step.index() + "].with", "rendered arguments refused: " + e.getMessage(), e);
        }
    }

    /**
     * @throws ToolCallException not retryable (the tool would answer alike) when the output passes a bound
     */
    Object output(Step step, Object output) {
        try {
            walk.measure(output);
            return output;
        } catch (BoundedWalk.LimitExceeded e) {
            throw new ToolCallException("output of " + step.uses() + " refused: " + e.getMessage(), false);
        }
    }
}
