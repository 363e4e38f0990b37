package io.ordinaut.tool;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tool's configured headers with {@code ${env:NAME}} / {@code ${secret:NAME}} replaced by the
 * environment variable's value at call time. The resolved values are kept so that they can be
 * taken out of everything that comes back from the tool — its answer as much as its errors — before
 * it leaves the tool layer: a tool may echo the headers it received, and what it answers is stored
 * in the run, shown to the task's agent and templated into later steps.
 */
final class HeaderValues {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|secret):([A-Za-z_][A-Za-z0-9_]*)}");
    /** Shorter values would garble unrelated text when redacted. */
    private static final int MIN_REDACTED_LENGTH = 4;
    static final String REDACTED = "***";

    private final Map<String, String> values;
    private final List<String> secrets;

    private HeaderValues(Map<String, String> values, List<String> secrets) {
        this.values = values;
        this.secrets = secrets;
    }

    static HeaderValues resolve(ToolDefinition tool, Function<String, String> environment) {
        return resolve(tool.address(), tool.headers(), environment);
    }

    static HeaderValues resolve(String owner, Map<String, String> headers, Function<String, String> environment) {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> secrets = new ArrayList<>();
        for (Map.Entry<String, String> header : headers.entrySet()) {
            Matcher m = REFERENCE.matcher(header.getValue());
            StringBuilder resolved = new StringBuilder();
            while (m.find()) {
                String value = environment.apply(m.group(2));
                if (value == null) {
                    throw ToolCallException.permanent("header '" + header.getKey() + "' of " + owner
                            + " needs environment variable " + m.group(2) + ", which is not set");
                }
                if (value.length() >= MIN_REDACTED_LENGTH) {
                    for (String form : escapedForms(value)) {
                        if (!secrets.contains(form)) {
                            secrets.add(form);
                        }
                    }
                }
                m.appendReplacement(resolved, Matcher.quoteReplacement(value));
            }
            m.appendTail(resolved);
            values.put(header.getKey(), resolved.toString());
        }
        // the longest first, so that a secret holding another is replaced whole
        secrets.sort((a, b) -> Integer.compare(b.length(), a.length()));
        return new HeaderValues(values, List.copyOf(secrets));
    }

    /**
     * The value as it is and as a tool may echo it inside an error body that is matched as text: JSON-escaped
     * (with {@code /} escaped or not, and with {@code < > & = '} as {@code \u003c}… as HTML-safe JSON writers such as
     * Gson give them, in either hex case) and HTML-escaped ({@code &quot; &lt; &gt; &amp;}, {@code '} as
     * {@code &#39;} or {@code &#x27;}).
     */
    static List<String> escapedForms(String value) {
        List<String> forms = new ArrayList<>();
        forms.add(value);
        for (String slash : List.of("/", "\\/")) {
            for (int htmlSafe = 0; htmlSafe < 3; htmlSafe++) {
                StringBuilder json = new StringBuilder();
                for (char c : value.toCharArray()) {
                    switch (c) {
                        case '"' -> json.append("\\\"");
                        case '\\' -> json.append("\\\\");
                        case '/' -> json.append(slash);
                        case '\b' -> json.append("\\b");
                        case '\f' -> json.append("\\f");
                        case '\n' -> json.append("\\n");
                        case '\r' -> json.append("\\r");
                        case '\t' -> json.append("\\t");
                        case '<', '>', '&', '=', '\'' -> json.append(htmlSafe == 0 ? String.valueOf(c)
                                : String.format(htmlSafe == 1 ? "\\u%04x" : "\\u%04X", (int) c));
                        default -> json.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
                    }
                }
                forms.add(json.toString());
            }
        }
        for (String apostrophe : List.of("&#39;", "&#x27;")) {
            forms.add(value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                    .replace("'", apostrophe));
        }
        return forms.stream().distinct().toList();
    }

    Map<String, String> values() {
        return values;
    }

    /** Whether the text holds a resolved secret. */
    boolean reveals(String text) {
        if (text == null) {
            return false;
        }
        for (String secret : secrets) {
            if (text.contains(secret)) {
                return true;
            }
        }
        return false;
    }

    /** The text with every resolved secret replaced by {@value #REDACTED}. */
    String redact(String text) {
        if (text == null || secrets.isEmpty()) {
            return text;
        }
        String redacted = text;
        for (String secret : secrets) {
            redacted = redacted.replace(secret, REDACTED);
        }
        return redacted;
    }

    /**
     * A tool's answer (plain JSON-shaped Java: Map, List, String, Number, Boolean or null) with every resolved
     * secret replaced in every string, object keys included. The same object when there is nothing to replace,
     * else a copy; the answer given is not changed. Nesting is bounded by the JSON parser that read the answer.
     */
    Object redact(Object value) {
        if (secrets.isEmpty()) {
            return value;
        }
        if (value instanceof String text) {
            return redact(text);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>(Math.max(4, map.size() * 2));
            // a key that redacts to one already there ("***" twice) is kept as "***#2", "***#3"…: both values stay
            map.forEach((key, item) -> {
                String redacted = redact(String.valueOf(key));
                String kept = redacted;
                for (int n = 2; copy.containsKey(kept); n++) {
                    kept = redacted + "#" + n;
                }
                copy.put(kept, redact(item));
            });
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            for (Object item : list) {
                copy.add(redact(item));
            }
            return copy;
        }
        return value;
    }

    /** The failure with every resolved secret taken out of its message; itself when there is none in it. */
    ToolCallException redact(ToolCallException e) {
        String message = redact(e.getMessage());
        if (message == null || message.equals(e.getMessage())) {
            return e;
        }
        return new ToolCallException(message, e.retryable(), e.httpStatus(), e.getCause(), e.retryAfter());
    }

    /**
     * The start of a tool's own text (an error body, an error message it reported) for an error message, at most
     * {@code max} characters and {@code …} when cut. Redacted before it is cut: redacting after would miss a secret
     * the cut went through, and leave all of it but its last characters.
     */
    String excerpt(String text, int max) {
        String redacted = redact(text);
        return redacted.length() > max ? redacted.substring(0, max) + "…" : redacted;
    }
}
