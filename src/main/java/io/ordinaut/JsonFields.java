package io.ordinaut;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Typed, validating access to a JSON object request body. Controllers read bodies as plain maps so
 * every wrong type, range or unknown field becomes a 400 that names the field, instead of whatever
 * message a data-binding library would produce.
 */
public final class JsonFields {

    private final Map<String, Object> body;

    private JsonFields(Map<String, Object> body) {
        this.body = body;
    }

    /** Wraps a parsed body; anything but a JSON object is a 400. */
    public static JsonFields of(Object body) {
        return of(body, null);
    }

    /**
     * Wraps a body whose field {@code itemsField} is an array of items that the caller checks one by one
     * (each with {@link #of}), so that one bad item is that item's error, not the whole body's.
     */
    @SuppressWarnings("unchecked")
    public static JsonFields of(Object body, String itemsField) {
        if (!(body instanceof Map<?, ?> map)) {
            throw new InvalidInputException("body", "Request body must be a JSON object");
        }
        if (itemsField != null && map.get(itemsField) instanceof List<?>) {
            Map<Object, Object> rest = new java.util.LinkedHashMap<>(map);
            rest.remove(itemsField);
            storable(rest, "");
        } else {
            storable(map, "");
        }
        return new JsonFields((Map<String, Object>) map);
    }

    /** False when a surrogate is not part of a pair: it would be stored as '?' and read back changed. */
    private static boolean wellFormedUtf16(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Refuses what parses as JSON but cannot be stored or read back as such: a NUL character (PostgreSQL
     * text and jsonb cannot hold one), numbers that overflow to infinity ({@code 1e999999}) and numbers jsonb
     * would write out longer than a parser reads back ({@code 1e200}: see {@link StoredJson}). Depth is
     * bounded by the parser (see JsonConfiguration), so the recursion is too. {@code path} is the field path
     * as every other check names it ({@code title}, {@code payload.params.city}, {@code tasks[0].title}),
     * empty for the body itself.
     */
    private static void storable(Object value, String path) {
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String key = String.valueOf(e.getKey());
                if (key.indexOf('\0') >= 0 || !wellFormedUtf16(key)) {
                    String where = path.isEmpty() ? "body" : path;
                    throw new InvalidInputException(where, (path.isEmpty() ? "The body" : path)
                            + " has a key with a NUL character or an unpaired surrogate, which cannot be stored");
                }
                storable(e.getValue(), path.isEmpty() ? key : path + "." + key);
            }
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                storable(list.get(i), path + "[" + i + "]");
            }
        } else if (value instanceof String text) {
            if (text.indexOf('\0') >= 0) {
                throw new InvalidInputException(path, path + " holds a NUL character (\\u0000), which cannot be stored");
            }
            if (!wellFormedUtf16(text)) {
                throw new InvalidInputException(path, path + " holds an unpaired surrogate (\\ud800-\\udfff), which is not text");
            }
        } else if (value instanceof Double d && !Double.isFinite(d) || value instanceof Float f && !Float.isFinite(f)) {
            throw new InvalidInputException(path, path + " is a number outside the range of a double");
        } else if (value instanceof Number n && !StoredJson.fits(n)) {
            throw new InvalidInputException(path, path + " " + StoredJson.tooWide(n));
        }
    }

    /**
     * The checks {@link #of} applies to a body, for JSON that arrives another way (an event read from the
     * inbound stream, a template's literal): a NUL character, an unpaired surrogate, a number beyond a
     * double's range, or one longer than {@value StoredJson#MAX_NUMBER_WIDTH} characters as jsonb stores it.
     *
     * @param path the name of the value in messages and {@code details.field} ({@code payload})
     * @throws InvalidInputException naming the path of the offending value
     */
    public static void requireStorable(Object value, String path) {
        storable(value, path);
    }

    /** Rejects fields outside {@code allowed}, so a typo is an error rather than a silent no-op. */
    public JsonFields allowOnly(Collection<String> allowed) {
        for (String key : body.keySet()) {
            if (!allowed.contains(key)) {
                throw new InvalidInputException(key, "Unknown field " + key + "; allowed fields: " + String.join(", ", sorted(allowed)));
            }
        }
        return this;
    }

    public boolean has(String field) {
        return body.containsKey(field);
    }

    public boolean isNull(String field) {
        return body.containsKey(field) && body.get(field) == null;
    }

    public Object raw(String field) {
        return body.get(field);
    }

    public Set<String> keys() {
        return body.keySet();
    }

    /** A string field; null when absent or JSON null. */
    public String string(String field, int minLength, int maxLength) {
        Object value = body.get(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s)) {
            throw new InvalidInputException(field, field + " must be a string");
        }
        // Characters as a reader counts them (code points): an emoji is one, not the two UTF-16 units of length().
        int characters = s.codePointCount(0, s.length());
        if (characters < minLength || characters > maxLength) {
            throw new InvalidInputException(field, minLength == maxLength
                    ? field + " must be " + minLength + " characters"
                    : field + " must be " + minLength + "–" + maxLength + " characters long (got " + characters + ")");
        }
        return s;
    }

    public String requiredString(String field, int minLength, int maxLength) {
        String s = string(field, minLength, maxLength);
        if (s == null) {
            throw new InvalidInputException(field, field + " is required");
        }
        return s;
    }

    /**
     * An integer field within [min, max]; null when absent or JSON null. A whole number written as a decimal
     * ({@code 5.0}, {@code 5e0}) is accepted; any number is compared with the range before it is narrowed, so
     * {@code 1.8446744073709552e19} is out of range, not its low 64 bits, and the error shows the number sent.
     */
    public Integer integer(String field, long min, long max) {
        Object value = body.get(field);
        if (value == null) {
            return null;
        }
        BigDecimal n;
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            n = BigDecimal.valueOf(((Number) value).longValue());
        } else if (value instanceof BigInteger big) {
            n = new BigDecimal(big);
        } else if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
            // toString of a double is the shortest text that reads back as it (1.8446744073709552E19), exact as a BigDecimal
            n = new BigDecimal(value.toString());
        } else {
            throw new InvalidInputException(field, field + " must be an integer");
        }
        if (n.compareTo(BigDecimal.valueOf(min)) < 0 || n.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw new InvalidInputException(field, field + " must be between " + min + " and " + max + " (got " + value + ")");
        }
        if (n.signum() != 0 && n.stripTrailingZeros().scale() > 0) {
            throw new InvalidInputException(field, field + " must be a whole number (got " + value + ")");
        }
        return n.intValueExact();
    }

    public Boolean bool(String field) {
        Object value = body.get(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Boolean b)) {
            throw new InvalidInputException(field, field + " must be true or false");
        }
        return b;
    }

    /** An ISO-8601 instant with offset (2026-03-08T09:00:00Z or …-05:00); null when absent. */
    public Instant instant(String field) {
        String s = string(field, 0, 100);
        return s == null ? null : parseInstant(field, s);
    }

    public UUID uuid(String field) {
        String s = string(field, 0, 100);
        if (s == null) {
            return null;
        }
        try {
            return UUID.fromString(s);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(field, field + " must be a UUID");
        }
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> object(String field) {
        Object value = body.get(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new InvalidInputException(field, field + " must be a JSON object");
        }
        return (Map<String, Object>) map;
    }

    /** An array of strings, each 1..maxLength characters; null when absent or JSON null. */
    public List<String> strings(String field, int maxItems, int maxLength) {
        Object value = body.get(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof List<?> list)) {
            throw new InvalidInputException(field, field + " must be an array of strings");
        }
        if (list.size() > maxItems) {
            throw new InvalidInputException(field, field + " may hold at most " + maxItems + " items (got " + list.size() + ")");
        }
        List<String> strings = new java.util.ArrayList<>(list.size());
        for (Object item : list) {
            if (!(item instanceof String s) || s.isEmpty() || s.codePointCount(0, s.length()) > maxLength) {
                throw new InvalidInputException(field, field + " must be an array of strings of 1–" + maxLength + " characters");
            }
            strings.add(s);
        }
        return strings;
    }

    public static Instant parseInstant(String field, String s) {
        try {
            return Horizon.check(field, OffsetDateTime.parse(s).toInstant());
        } catch (DateTimeParseException e) {
            if (s.matches("\\d{5,}-.*")) {
                // a year of five digits without the sign ISO-8601 asks for: refused as outside the years
                try {
                    return Horizon.check(field, OffsetDateTime.parse("+" + s).toInstant());
                } catch (DateTimeParseException notSigned) {
                    // not a date-time either way: the message below
                }
            }
            throw new InvalidInputException(field, field + " must be an ISO-8601 date-time with offset, e.g. 2026-03-08T09:00:00Z (got \"" + s + "\")");
        }
    }

    /** Parses one enumerated wire value (e.g. "exponential_jitter"), naming the allowed values on error. */
    public String oneOf(String field, List<String> allowed) {
        String s = string(field, 0, 100);
        if (s != null && !allowed.contains(s)) {
            throw new InvalidInputException(field, field + " must be one of " + String.join(", ", allowed) + " (got \"" + s + "\")");
        }
        return s;
    }

    private static List<String> sorted(Collection<String> values) {
        return values.stream().sorted().toList();
    }
}
