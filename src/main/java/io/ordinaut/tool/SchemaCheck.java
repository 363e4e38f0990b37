package io.ordinaut.tool;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import com.networknt.schema.path.PathType;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Validates values against tool JSON Schemas (draft 2020-12 unless the schema says otherwise).
 * Remote {@code $ref}s are never fetched: a schema must not become a way around the egress guard.
 */
final class SchemaCheck {

    private static final int MAX_CACHED = 1_000;
    /** Violations a message lists; past them it says how many more. */
    static final int MAX_REPORTED = 5;
    /**
     * Keywords whose verdict on an object or array depends only on its keys, its size or its own type —
     * all literal in a step's arguments even when some values are templates.
     */
    private static final Set<String> SHAPE = Set.of("type", "required", "additionalProperties", "dependentRequired",
            "minProperties", "maxProperties", "minItems", "maxItems");
    /** Keywords that pick which subschemas apply by what the value is, or depend on which ones passed. */
    private static final Set<String> CHOOSING = Set.of("anyOf", "oneOf", "not", "if", "then", "else",
            "unevaluatedProperties", "unevaluatedItems", "contains", "minContains", "maxContains");
    /** Keywords reported at the object whose {@code property} is the one missing or not allowed. */
    private static final Set<String> NAMES_PROPERTY = Set.of("required", "additionalProperties");
    /** Keywords whose value is a URI reference to another schema. */
    private static final Set<String> REFERENCES = Set.of("$ref", "$dynamicRef", "$recursiveRef");
    /** A Java class name ending in Exception or Error, with the ": " after it, as exception messages nest them. */
    private static final Pattern JAVA_EXCEPTION = Pattern.compile("\\b(?:[a-z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error)\\b:?\\s*");

    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder
                    .schemaRegistryConfig(SchemaRegistryConfig.builder().pathType(PathType.JSON_POINTER)
                            .regularExpressionFactory(new BoundedRegularExpressions()).build())
                    // Nothing but the meta-schemas shipped with the validator is ever loaded: not remote
                    // (the egress guard), not classpath: or file: (the node's own configuration and files).
                    .schemaLoader(loader -> loader.fetchRemoteResources(false).allow(iri -> standard(iri.toString()))));
    private final Map<Map<String, Object>, Schema> compiled = new ConcurrentHashMap<>();

    /**
     * @param what e.g. "input of weather.forecast", used to start the message
     * @throws ToolCallException not retryable, listing the JSON pointers of offending values
     */
    void requireValid(String what, Map<String, Object> schema, Object value) {
        List<String> violations = violations(what, schema, value);
        if (!violations.isEmpty()) {
            throw ToolCallException.permanent(what + " violates its schema: " + String.join("; ", violations));
        }
    }

    /**
     * Why a schema cannot be used, checked against the meta-schema of its {@code $schema} dialect (2020-12
     * when absent) and by compiling it; empty when it is a usable JSON Schema. Meta-schemas ship with the
     * validator, so nothing is fetched.
     */
    List<String> schemaProblems(Map<String, Object> schema) {
        Object declared = schema.get("$schema");
        SpecificationVersion dialect = SpecificationVersion.DRAFT_2020_12;
        if (declared != null) {
            Optional<SpecificationVersion> known = declared instanceof String id
                    ? SpecificationVersion.fromDialectId(id)
                            .or(() -> SpecificationVersion.fromDialectId(id.endsWith("#") ? id.substring(0, id.length() - 1) : id + "#"))
                    : Optional.empty();
            if (known.isEmpty()) {
                return List.of("$schema " + declared + " is not a supported JSON Schema dialect (draft-04, -06, -07, 2019-09, 2020-12)");
            }
            dialect = known.get();
        }
        List<String> problems = new ArrayList<>();
        outsideReferences(schema, "", problems);
        if (!problems.isEmpty()) {
            return problems;
        }
        try {
            Schema meta = registry.getSchema(SchemaLocation.of(dialect.getDialectId()));
            for (Error error : meta.validate(Json.MAPPER.<JsonNode>valueToTree(schema))) {
                if (problems.size() == MAX_REPORTED) {
                    break;
                }
                String pointer = error.getInstanceLocation().toString();
                problems.add((pointer.isEmpty() ? "/" : pointer) + ": " + error.getMessage());
            }
        } catch (RuntimeException e) {
            problems.add("cannot be checked against its meta-schema: " + e.getMessage());
        }
        if (problems.isEmpty()) {
            try {
                schema("schema", schema);
            } catch (ToolCallException e) {
                problems.add(e.getMessage());
            }
        }
        return problems;
    }

    /**
     * Adds a problem for each reference ({@code $ref}, {@code $dynamicRef}, {@code $recursiveRef}) that leaves
     * the schema: a tool schema may point only within itself ({@code #…}) or at a standard meta-schema. A
     * {@code classpath:} or {@code file:} reference would read the node's configuration or files (and the
     * validator's errors would tell what they hold), a remote one would pass the egress guard.
     */
    @SuppressWarnings("unchecked")
    private static void outsideReferences(Object node, String pointer, List<String> problems) {
        if (problems.size() == MAX_REPORTED) {
            return;
        }
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<String, Object> entry : ((Map<String, Object>) map).entrySet()) {
                String at = pointer + "/" + entry.getKey().replace("~", "~0").replace("/", "~1");
                if (REFERENCES.contains(entry.getKey()) && entry.getValue() instanceof String target
                        && !target.startsWith("#") && !standard(target)) {
                    problems.add(at + ": " + entry.getKey() + " \"" + target + "\" is not allowed: a tool schema may reference "
                            + "only within itself (\"#…\", e.g. \"#/$defs/address\") or a standard meta-schema (https://json-schema.org/…)");
                } else {
                    outsideReferences(entry.getValue(), at, problems);
                }
            }
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                outsideReferences(list.get(i), pointer + "/" + i, problems);
            }
        }
    }

    /** Whether an IRI names a meta-schema of a JSON Schema dialect, which ship with the validator. */
    private static boolean standard(String iri) {
        return iri.startsWith("https://json-schema.org/") || iri.startsWith("http://json-schema.org/");
    }

    /** Each violation as {@code <json pointer>: <message>}; empty when the value is valid. */
    List<String> violations(String what, Map<String, Object> schema, Object value) {
        return describe(validate(what, schema, value));
    }

    /**
     * The violations a value will have whatever its unknown parts turn out to be: the check a task's step
     * arguments get when the task is created, before templates are rendered. The value is validated as it
     * is, then an error is kept only when no unknown part can change it:
     * <ul>
     *   <li>errors at or inside an unknown part are dropped: its value (even its type) is not known yet;</li>
     *   <li>at an object or array holding an unknown part, only errors about its keys, size or own type are
     *       kept ({@link #SHAPE}), since those are literal; an {@code enum}, {@code const} or
     *       {@code uniqueItems} there depends on the unknown part;</li>
     *   <li>with any unknown part, errors reached through a keyword that chooses between subschemas by the
     *       value ({@link #CHOOSING}) are dropped: an unknown part may make another branch apply.</li>
     * </ul>
     * With no unknown parts this is {@link #violations} exactly, so creation and run time cannot disagree
     * about a literal value.
     *
     * @param unknown JSON pointers (RFC 6901) of the parts not known yet, whose placeholder in {@code value}
     *                is ignored
     * @return every violation (not only the first {@value #MAX_REPORTED} a message lists) with the path of the
     *         offending value (for a missing or unexpected property, of that property), worded as
     *         {@link #violations} words each
     */
    List<ToolRouter.InputViolation> knownViolations(String what, Map<String, Object> schema, Object value, Set<String> unknown) {
        List<Error> errors = validate(what, schema, value);
        List<Error> known = errors.stream().filter(error -> certain(error, unknown)).toList();
        List<ToolRouter.InputViolation> violations = new ArrayList<>(known.size());
        for (Error error : known) {
            violations.add(new ToolRouter.InputViolation(path(error), describe(error)));
        }
        return violations;
    }

    /**
     * Validates with a bound on the work its regular expressions do ({@link BoundedRegularExpressions}).
     *
     * @throws ToolCallException not retryable, when a pattern needs more than that to decide: a schema that
     *                           cannot be checked is as good as violated, and trying again costs as much
     */
    private List<Error> validate(String what, Map<String, Object> schema, Object value) {
        Schema compiledSchema = schema(what, schema);
        JsonNode node = Json.MAPPER.valueToTree(value);
        try {
            return BoundedRegularExpressions.within(() -> compiledSchema.validate(node));
        } catch (RuntimeException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof BoundedRegularExpressions.TooCostly tooCostly) {
                    throw ToolCallException.permanent(what + " violates its schema: " + tooCostly.getMessage());
                }
            }
            throw e;
        }
    }

    private static List<String> describe(List<Error> errors) {
        List<String> violations = new ArrayList<>();
        for (Error error : errors) {
            if (violations.size() == MAX_REPORTED) {
                violations.add("… " + (errors.size() - MAX_REPORTED) + " more");
                break;
            }
            violations.add(describe(error));
        }
        return violations;
    }

    private static String describe(Error error) {
        String pointer = error.getInstanceLocation().toString();
        return (pointer.isEmpty() ? "/" : pointer) + ": " + error.getMessage();
    }

    private static boolean certain(Error error, Set<String> unknown) {
        if (unknown.isEmpty()) {
            return true;
        }
        NodePath evaluation = error.getEvaluationPath();
        for (int i = 0; i < evaluation.getNameCount(); i++) {
            // A property named like one of these keywords is dropped too: a missed refusal, never a wrong one.
            if (CHOOSING.contains(evaluation.getName(i))) {
                return false;
            }
        }
        String at = pointer(error.getInstanceLocation());
        for (String part : unknown) {
            if (part.equals(at) || part.startsWith(at + "/") && !SHAPE.contains(error.getKeyword())
                    || at.startsWith(part + "/")) {
                return false;
            }
        }
        return true;
    }

    /** The instance location as an RFC 6901 pointer ("" for the whole value), escaped as the unknown parts are. */
    private static String pointer(NodePath location) {
        StringBuilder pointer = new StringBuilder();
        for (int i = 0; i < location.getNameCount(); i++) {
            pointer.append('/').append(String.valueOf(location.getElement(i)).replace("~", "~0").replace("/", "~1"));
        }
        return pointer.toString();
    }

    /** Where the offending value is: property names are strings, array indexes integers. */
    private static List<Object> path(Error error) {
        NodePath location = error.getInstanceLocation();
        List<Object> path = new ArrayList<>(location.getNameCount() + 1);
        for (int i = 0; i < location.getNameCount(); i++) {
            path.add(location.getElement(i));
        }
        if (error.getProperty() != null && NAMES_PROPERTY.contains(error.getKeyword())) {
            path.add(error.getProperty());
        }
        return path;
    }

    private Schema schema(String what, Map<String, Object> schema) {
        Schema cached = compiled.get(schema);
        if (cached != null) {
            return cached;
        }
        Schema fresh;
        try {
            fresh = registry.getSchema(Json.MAPPER.<JsonNode>valueToTree(schema));
            fresh.initializeValidators();
        } catch (RuntimeException e) {
            // The message is the caller's to read: no Java exception names (nor what they would wrap).
            String reason = JAVA_EXCEPTION.matcher(String.valueOf(e.getMessage())).replaceAll("");
            throw ToolCallException.permanent("the schema for " + what + " is invalid: " + reason);
        }
        if (compiled.size() >= MAX_CACHED) {
            // tool schemas are few; a full cache means churn, so start over rather than track recency
            compiled.clear();
        }
        compiled.put(schema, fresh);
        return fresh;
    }
}
