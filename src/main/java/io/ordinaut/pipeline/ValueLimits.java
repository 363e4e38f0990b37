package io.ordinaut.pipeline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

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
    private final int maxDepth;

    ValueLimits(PipelineProperties properties) {
        this.arguments = new BoundedWalk(properties.maxDepth(), "ordinaut.pipeline.max-depth",
                properties.maxArgumentBytes(), "ordinaut.pipeline.max-argument-bytes");
        this.outputs = new BoundedWalk(properties.maxDepth(), "ordinaut.pipeline.max-depth",
                properties.maxStepOutputBytes(), "ordinaut.pipeline.max-step-output-bytes", true);
        this.maxRunOutputBytes = properties.maxRunOutputBytes();
        this.maxDepth = properties.maxDepth();
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
     * Refuses, when the task is created, a step whose literal arguments alone pass a bound that every run's
     * {@link #arguments} applies: the arguments are measured with each templated value as the smallest a run
     * could render (one character; a string's literal text), so what is refused here fails every run, and
     * what a template might push past a bound is left to the run.
     *
     * @param field the step's {@code payload.pipeline[i].with}
     * @throws InvalidPipelineException naming where the arguments pass the depth bound, or the step's
     *                                  {@code with} for the size bound, and the setting
     */
    void checkLiteral(Template with, String field) {
        Object least = least(with);
        try {
            arguments.measure(least);
        } catch (BoundedWalk.LimitExceeded e) {
            String at = e.tooDeep ? tooDeep(least, 0, field) : field;
            throw new InvalidPipelineException(at == null ? field : at,
                    "every run would refuse this step's arguments: " + e.getMessage());
        }
    }

    /** The arguments with each templated value as the least a run could render in its place. */
    private static Object least(Template template) {
        if (template instanceof Template.Constant constant) {
            return constant.value();
        }
        if (template instanceof Template.ObjectTemplate object) {
            Map<String, Object> value = new LinkedHashMap<>(object.keys().size() * 2);
            for (int i = 0; i < object.keys().size(); i++) {
                value.put(object.keys().get(i), least(object.values().get(i)));
            }
            return value;
        }
        if (template instanceof Template.ArrayTemplate array) {
            return array.items().stream().map(ValueLimits::least).toList();
        }
        if (template instanceof Template.Interpolated text) {
            // its literal text, each ${…} rendering at least ""
            return text.parts().stream().filter(String.class::isInstance).map(String.class::cast).collect(Collectors.joining());
        }
        // a whole-value ${…}: any JSON value, at least one character (a digit) and no deeper than a scalar
        return 0;
    }

    /** The field of the first object or array as deep as the depth bound refuses, in the order the walk meets it. */
    private String tooDeep(Object value, int depth, String field) {
        if (value instanceof Map<?, ?> map) {
            if (depth >= maxDepth) {
                return field;
            }
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                String found = tooDeep(entry.getValue(), depth + 1, FieldPath.key(field, String.valueOf(entry.getKey())));
                if (found != null) {
                    return found;
                }
            }
        } else if (value instanceof List<?> list) {
            if (depth >= maxDepth) {
                return field;
            }
            for (int i = 0; i < list.size(); i++) {
                String found = tooDeep(list.get(i), depth + 1, FieldPath.index(field, i));
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
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
