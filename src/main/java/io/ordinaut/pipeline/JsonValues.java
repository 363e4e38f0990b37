package io.ordinaut.pipeline;

import tools.jackson.databind.json.JsonMapper;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Helpers for the plain-Java JSON model (Map, List, String, Number, Boolean, null) used throughout pipelines. */
final class JsonValues {

    /**
     * Not the application's mapper bean, on purpose: this one never parses text — it writes values a
     * pipeline computed and converts trees already parsed (by the application's mapper, with its limits) —
     * so the bean's parse limits would change nothing, and these static helpers, called deep inside
     * expression evaluation, need no bean threaded through every step.
     */
    private static final JsonMapper JSON = JsonMapper.shared();

    private JsonValues() {
    }

    /** Appends a value as interpolated text: null → "", objects and arrays → compact JSON. */
    static void appendAsText(StringBuilder text, Object value) {
        if (value == null) {
            return;
        }
        if (value instanceof String s) {
            text.append(s);
        } else if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
            // JMESPath arithmetic (sum, avg…) yields doubles; "Total: 3" reads better than "Total: 3.0"
            text.append(plainDecimal((Number) value));
        } else if (value instanceof Number || value instanceof Boolean) {
            text.append(value);
        } else {
            // measured first: [@, @] nested is small in memory but exponential written out
            text.append(JSON.writeValueAsString(BoundedJmesPath.writable(value)));
        }
    }

    private static String plainDecimal(Number number) {
        if (number instanceof BigDecimal big) {
            return big.stripTrailingZeros().toPlainString();
        }
        double d = number.doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return Double.toString(d);
        }
        return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    /** A whole number by its type (int, long, BigInteger …), which compares exactly; not a whole double. */
    static boolean isWholeType(Object value) {
        return value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof Byte || value instanceof BigInteger;
    }

    static BigInteger bigInteger(Number whole) {
        return whole instanceof BigInteger big ? big : BigInteger.valueOf(whole.longValue());
    }

    static boolean isIntegral(Object value) {
        if (isWholeType(value)) {
            return true;
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            return d == Math.rint(d) && !Double.isInfinite(d);
        }
        if (value instanceof BigDecimal big) {
            return big.stripTrailingZeros().scale() <= 0;
        }
        return false;
    }

    static String typeName(Object value) {
        if (value == null) {
            return "null";
        } else if (value instanceof Map) {
            return "object";
        } else if (value instanceof List) {
            return "array";
        } else if (value instanceof String) {
            return "string";
        } else if (value instanceof Boolean) {
            return "boolean";
        } else if (value instanceof Number) {
            return "number";
        }
        return value.getClass().getSimpleName();
    }

    /**
     * A deep, unmodifiable copy of a JSON value (nulls allowed, key order kept), so a parsed definition
     * can be shared by concurrent runs.
     *
     * @throws IllegalArgumentException naming the offending path when a value is not JSON-shaped
     */
    static Object freeze(Object value, String path) {
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Number) {
            return value;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>(map.size() * 2);
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!(entry.getKey() instanceof String key)) {
                    throw new IllegalArgumentException(path + ": object keys must be strings");
                }
                copy.put(key, freeze(entry.getValue(), FieldPath.key(path, key)));
            }
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                copy.add(freeze(list.get(i), FieldPath.index(path, i)));
            }
            return Collections.unmodifiableList(copy);
        }
        throw new IllegalArgumentException(path + ": unsupported value of type " + value.getClass().getName());
    }

    static Object fromJsonNode(tools.jackson.databind.JsonNode node) {
        return JSON.treeToValue(node, Object.class);
    }
}
