package io.ordinaut.pipeline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** Validates a task payload and compiles it into steps; every problem names the offending field. */
final class PipelineParser {

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern TOOL_ADDRESS = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)+");
    private static final Set<String> PAYLOAD_KEYS = Set.of("params", "pipeline", "event_filter");
    private static final Set<String> STEP_KEYS = Set.of("id", "uses", "with", "save_as", "if",
            "timeout_seconds", "max_retries", "continue_on_error");
    private static final int DEFAULT_TIMEOUT_SECONDS = 30;
    /** Bounds what validating one payload may cost (each expression is parsed and checked). */
    static final int MAX_STEPS = 1000;
    static final int MAX_EXPRESSIONS = 2000;

    private final Predicate<String> toolAllowed;
    /** Null when parsing a stored task to run it: its arguments were checked when it was accepted. */
    private final ValueLimits limits;
    /** Output names saved by the steps parsed so far → the id of the step saving it. */
    private final Map<String, String> available = new HashMap<>();
    /** Step id → output name, for steps parsed so far. */
    private final Map<String, String> storeNameById = new HashMap<>();
    /** Output names and ids of all steps, read up front to explain forward references. */
    private final Map<String, Integer> laterNames = new HashMap<>();
    private int expressions;

    private PipelineParser(Predicate<String> toolAllowed, ValueLimits limits) {
        this.toolAllowed = toolAllowed == null ? address -> true : toolAllowed;
        this.limits = limits;
    }

    static PipelineDefinition parse(Object payload, Predicate<String> toolAllowed) {
        return new PipelineParser(toolAllowed, null).parsePayload(payload);
    }

    static PipelineDefinition parse(Object payload, Predicate<String> toolAllowed, ValueLimits limits) {
        return new PipelineParser(toolAllowed, limits).parsePayload(payload);
    }

    private PipelineDefinition parsePayload(Object payload) {
        if (payload instanceof tools.jackson.databind.JsonNode node) {
            payload = JsonValues.fromJsonNode(node);
        }
        if (!(payload instanceof Map<?, ?> map)) {
            throw new InvalidPipelineException("payload", "must be a JSON object, got " + JsonValues.typeName(payload));
        }
        rejectUnknownKeys(map, PAYLOAD_KEYS, "payload");
        Map<String, Object> params = parseParams(map.get("params"));
        checkEventFilter(map.get("event_filter"));
        Object pipeline = map.get("pipeline");
        if (pipeline == null) {
            throw new InvalidPipelineException("payload.pipeline", "is required (an array of steps, may be empty)");
        }
        if (!(pipeline instanceof List<?> list)) {
            throw new InvalidPipelineException("payload.pipeline", "must be an array, got " + JsonValues.typeName(pipeline));
        }
        if (list.size() > MAX_STEPS) {
            throw new InvalidPipelineException("payload.pipeline", "has " + list.size() + " steps; a pipeline may have at most " + MAX_STEPS);
        }
        collectNames(list);
        List<Step> steps = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            steps.add(parseStep(list.get(i), "payload.pipeline[" + i + "]", i));
        }
        return new PipelineDefinition(params, steps);
    }

    /** An event task's filter (io.ordinaut.event evaluates it at publish time): one JMESPath expression. */
    private static void checkEventFilter(Object filter) {
        if (filter == null) {
            return;
        }
        if (!(filter instanceof String text)) {
            throw new InvalidPipelineException("payload.event_filter", "must be a JMESPath expression (a string), got "
                    + JsonValues.typeName(filter));
        }
        try {
            Jmes.compile(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidPipelineException("payload.event_filter", e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parseParams(Object params) {
        if (params == null) {
            return Map.of();
        }
        if (!(params instanceof Map)) {
            throw new InvalidPipelineException("payload.params", "must be an object, got " + JsonValues.typeName(params));
        }
        try {
            return (Map<String, Object>) JsonValues.freeze(params, "payload.params");
        } catch (IllegalArgumentException e) {
            throw new InvalidPipelineException("payload.params", e.getMessage());
        }
    }

    private void collectNames(List<?> list) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) instanceof Map<?, ?> step) {
                if (step.get("id") instanceof String id) {
                    laterNames.putIfAbsent(id, i);
                }
                if (step.get("save_as") instanceof String saveAs) {
                    laterNames.putIfAbsent(saveAs, i);
                }
            }
        }
    }

    private Step parseStep(Object raw, String path, int index) {
        if (!(raw instanceof Map<?, ?> step)) {
            throw new InvalidPipelineException(path, "a step must be an object, got " + JsonValues.typeName(raw));
        }
        rejectUnknownKeys(step, STEP_KEYS, path);

        String id = requiredName(step, "id", path);
        if (storeNameById.containsKey(id)) {
            throw new InvalidPipelineException(path + ".id", "duplicate step id '" + id + "'");
        }
        String uses = requiredString(step, "uses", path);
        if (!TOOL_ADDRESS.matcher(uses).matches()) {
            throw new InvalidPipelineException(path + ".uses",
                    "'" + uses + "' is not a tool address like 'namespace.tool' (letters, digits, '_', '-', '.')");
        }
        if (!toolAllowed.test(uses)) {
            throw new InvalidPipelineException(path + ".uses", "unknown tool '" + uses + "'");
        }
        String saveAs = optionalName(step, "save_as", path);
        String storeName = saveAs != null ? saveAs : id;
        if (available.containsKey(storeName)) {
            String field = saveAs != null ? path + ".save_as" : path + ".id";
            throw new InvalidPipelineException(field, "output name '" + storeName + "' is already used by step '"
                    + available.get(storeName) + "'" + (saveAs == null ? "; set a different save_as" : ""));
        }

        CompiledExpression condition = parseCondition(step.get("if"), path + ".if", id, index);
        TemplateCompiler templates = new TemplateCompiler((field, expression) -> checkReferences(field, expression, id, index));
        Object with = step.get("with");
        if (with != null && !(with instanceof Map)) {
            throw new InvalidPipelineException(path + ".with", "must be an object, got " + JsonValues.typeName(with));
        }
        Template args = templates.compile(with == null ? Map.of() : with, path + ".with");
        if (limits != null) {
            limits.checkLiteral(args, path + ".with");
        }

        int timeout = integer(step, "timeout_seconds", path, DEFAULT_TIMEOUT_SECONDS, 1, 3600);
        int maxRetries = integer(step, "max_retries", path, 0, 0, 10);
        boolean continueOnError = bool(step, "continue_on_error", path);

        storeNameById.put(id, storeName);
        available.put(storeName, id);
        return new Step(index, id, uses, args, storeName, condition, Duration.ofSeconds(timeout), maxRetries, continueOnError);
    }

    private CompiledExpression parseCondition(Object raw, String field, String stepId, int index) {
        if (raw == null) {
            return null;
        }
        if (!(raw instanceof String text) || text.isBlank()) {
            throw new InvalidPipelineException(field, "must be a non-empty JMESPath expression string");
        }
        String expression = text.strip();
        // tolerate the template form "${…}" for a condition, it means the same thing
        if (expression.startsWith("${") && expression.endsWith("}") && expression.indexOf("${", 2) < 0) {
            expression = expression.substring(2, expression.length() - 1);
        }
        CompiledExpression compiled;
        try {
            compiled = Jmes.compile(expression);
        } catch (IllegalArgumentException e) {
            throw new InvalidPipelineException(field, e.getMessage());
        }
        checkReferences(field, compiled, stepId, index);
        return compiled;
    }

    private void checkReferences(String field, CompiledExpression expression, String stepId, int index) {
        if (++expressions > MAX_EXPRESSIONS) {
            throw new InvalidPipelineException(field, "a pipeline may hold at most " + MAX_EXPRESSIONS + " expressions (conditions and ${…} placeholders)");
        }
        if (!(expression instanceof CompiledExpression.JmesPath)) {
            return;
        }
        for (String name : StepReferences.in(expression.source())) {
            if (available.containsKey(name)) {
                continue;
            }
            String reason;
            if (storeNameById.containsKey(name)) {
                reason = "step '" + name + "' saves its output as '" + storeNameById.get(name)
                        + "'; use steps." + storeNameById.get(name);
            } else if (name.equals(stepId) || Integer.valueOf(index).equals(laterNames.get(name))) {
                reason = "step '" + stepId + "' cannot use its own output (steps." + name + ")";
            } else if (laterNames.containsKey(name) && laterNames.get(name) > index) {
                reason = "steps." + name + " refers to a step that runs later; only outputs of earlier steps can be used";
            } else {
                reason = "steps." + name + " names no earlier step (by save_as, or id when it has no save_as)";
            }
            throw new InvalidPipelineException(field, reason);
        }
    }

    private static void rejectUnknownKeys(Map<?, ?> map, Set<String> allowed, String path) {
        for (Object key : map.keySet()) {
            if (!(key instanceof String name) || !allowed.contains(name)) {
                throw new InvalidPipelineException(FieldPath.key(path, String.valueOf(key)),
                        "unknown key '" + key + "'; allowed: " + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
    }

    private static String requiredString(Map<?, ?> step, String key, String path) {
        Object value = step.get(key);
        if (value == null) {
            throw new InvalidPipelineException(path + "." + key, "is required");
        }
        if (!(value instanceof String s) || s.isBlank()) {
            throw new InvalidPipelineException(path + "." + key, "must be a non-empty string, got " + JsonValues.typeName(value));
        }
        return s;
    }

    private static String requiredName(Map<?, ?> step, String key, String path) {
        String name = requiredString(step, key, path);
        checkName(name, path + "." + key);
        return name;
    }

    private static String optionalName(Map<?, ?> step, String key, String path) {
        if (step.get(key) == null) {
            return null;
        }
        return requiredName(step, key, path);
    }

    private static void checkName(String name, String field) {
        if (!NAME.matcher(name).matches()) {
            throw new InvalidPipelineException(field, "'" + name + "' may only contain letters, digits, '_' and '-'");
        }
    }

    private static int integer(Map<?, ?> step, String key, String path, int fallback, int min, int max) {
        Object value = step.get(key);
        if (value == null) {
            return fallback;
        }
        if (!JsonValues.isIntegral(value)) {
            throw new InvalidPipelineException(path + "." + key, "must be an integer, got " + JsonValues.typeName(value)
                    + (value instanceof Number ? " " + value : ""));
        }
        double number = ((Number) value).doubleValue();
        if (number < min || number > max) {
            throw new InvalidPipelineException(path + "." + key, "must be between " + min + " and " + max + ", got " + value);
        }
        return (int) number;
    }

    private static boolean bool(Map<?, ?> step, String key, String path) {
        Object value = step.get(key);
        if (value == null) {
            return false;
        }
        if (!(value instanceof Boolean b)) {
            throw new InvalidPipelineException(path + "." + key, "must be a boolean, got " + JsonValues.typeName(value));
        }
        return b;
    }
}
