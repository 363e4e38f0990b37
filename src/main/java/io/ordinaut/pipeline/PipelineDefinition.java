package io.ordinaut.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A task's validated, compiled pipeline: immutable and safe to share between concurrent runs.
 *
 * <h2>Payload</h2>
 * {@code {"params": {…}, "pipeline": [step, …]}}; no other top-level keys. A step is
 * {@code id} (required, unique, {@code [A-Za-z0-9_-]+}), {@code uses} (tool address, required),
 * {@code with} (object; templates in values at any depth, never in keys), {@code save_as},
 * {@code if} (JMESPath; {@code "${…}"} around it is tolerated), {@code timeout_seconds} (1..3600,
 * default 30), {@code max_retries} (0..10, default 0) and {@code continue_on_error} (default false).
 *
 * <h2>Outputs</h2>
 * A successful step saves its output under {@code steps.<save_as>}, or {@code steps.<id>} when it
 * has no {@code save_as}, so every step's output is reachable. A reference must use that exact name:
 * {@code steps.<id>} of a step with a different {@code save_as} is rejected with a hint. Skipped and
 * failed steps save nothing, so later references read null.
 *
 * <h2>Checked here rather than at 3 a.m.</h2>
 * Structure and types, unknown keys, duplicate ids and output names, JMESPath syntax (and unknown
 * functions) of every {@code if} and {@code ${…}}, {@code steps.<name>} references to a step that is
 * not earlier in the pipeline, tool addresses rejected by the caller's predicate, and (given the limits)
 * literal arguments deeper or larger than every run would accept.
 */
public final class PipelineDefinition {

    private final Map<String, Object> params;
    private final List<Step> steps;

    PipelineDefinition(Map<String, Object> params, List<Step> steps) {
        this.params = params;
        this.steps = List.copyOf(steps);
    }

    /**
     * @param payload     the task payload: a {@code Map} (as Jackson or Spring bind untyped JSON) or a
     *                    Jackson 3 {@code JsonNode}
     * @param toolAllowed whether a {@code uses} address is acceptable (e.g. known to the catalog when the
     *                    server rejects unknown tools); null accepts every address
     * @throws InvalidPipelineException naming the offending field
     */
    public static PipelineDefinition parse(Object payload, Predicate<String> toolAllowed) {
        return PipelineParser.parse(payload, toolAllowed);
    }

    /**
     * As {@link #parse(Object, Predicate)}, for a task being created or changed: also refuses a step whose
     * literal arguments already pass a bound of {@code limits} that its runs would apply (depth, size).
     */
    public static PipelineDefinition parse(Object payload, Predicate<String> toolAllowed, PipelineProperties limits) {
        return PipelineParser.parse(payload, toolAllowed, new ValueLimits(limits));
    }

    /** The task's {@code params}, unmodifiable. */
    public Map<String, Object> params() {
        return params;
    }

    public List<String> stepIds() {
        return steps.stream().map(Step::id).toList();
    }

    /** The tool address of each step, by step index ({@code payload.pipeline[i].uses}). */
    public List<String> stepUses() {
        return steps.stream().map(Step::uses).toList();
    }

    /** Every tool address used, in pipeline order without duplicates. */
    public Set<String> toolAddresses() {
        Set<String> addresses = new LinkedHashSet<>();
        steps.forEach(step -> addresses.add(step.uses()));
        return addresses;
    }

    /** Each step's arguments as far as they are known before any run, by step index. */
    public List<KnownArguments> knownArguments() {
        return steps.stream().map(KnownArguments::of).toList();
    }

    List<Step> steps() {
        return steps;
    }

    /**
     * A step's {@code with} as far as it is known when the task is created: what a tool's input schema can
     * be checked against then. A {@code ${…}} is known only once a run renders it — a whole-value one may
     * give any JSON type, and text around one says nothing of the rest — so every value holding one is
     * unknown; keys, and everything around such values, are literal.
     *
     * @param index     the step's index in the pipeline
     * @param stepId    the step's id
     * @param uses      the step's tool address
     * @param literal   the arguments with every templated value as null (so not copied: nulls are values here)
     * @param templated the JSON pointers (RFC 6901) of the templated values, e.g. {@code /address/city}
     */
    public record KnownArguments(int index, String stepId, String uses, Map<String, Object> literal, Set<String> templated) {

        static KnownArguments of(Step step) {
            Set<String> templated = new LinkedHashSet<>();
            @SuppressWarnings("unchecked")
            Map<String, Object> literal = (Map<String, Object>) known(step.with(), "", templated);
            return new KnownArguments(step.index(), step.id(), step.uses(), literal, Set.copyOf(templated));
        }

        private static Object known(Template template, String pointer, Set<String> templated) {
            if (template instanceof Template.Constant constant) {
                return constant.value();
            }
            if (template instanceof Template.ObjectTemplate object) {
                Map<String, Object> value = new LinkedHashMap<>(object.keys().size() * 2);
                for (int i = 0; i < object.keys().size(); i++) {
                    String key = object.keys().get(i);
                    value.put(key, known(object.values().get(i), pointer + "/" + escape(key), templated));
                }
                return value;
            }
            if (template instanceof Template.ArrayTemplate array) {
                List<Object> value = new ArrayList<>(array.items().size());
                for (int i = 0; i < array.items().size(); i++) {
                    value.add(known(array.items().get(i), pointer + "/" + i, templated));
                }
                return value;
            }
            // Typed or Interpolated: a value only a run can give
            templated.add(pointer);
            return null;
        }

        private static String escape(String key) {
            return key.replace("~", "~0").replace("/", "~1");
        }

        /**
         * The request field of a place in these arguments, e.g. {@code payload.pipeline[1].with.address.city}.
         *
         * @param path property names (strings) and array indexes (integers), as from the arguments' root
         */
        public String field(List<Object> path) {
            String field = "payload.pipeline[" + index + "].with";
            for (Object part : path) {
                field = part instanceof Integer i ? FieldPath.index(field, i) : FieldPath.key(field, String.valueOf(part));
            }
            return field;
        }
    }
}
