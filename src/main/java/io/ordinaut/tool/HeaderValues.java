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
 * removed from any error text before it leaves the tool layer.
 */
final class HeaderValues {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|secret):([A-Za-z_][A-Za-z0-9_]*)}");
    /** Shorter values would garble unrelated text when redacted. */
    private static final int MIN_REDACTED_LENGTH = 4;

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
                    secrets.add(value);
                }
                m.appendReplacement(resolved, Matcher.quoteReplacement(value));
            }
            m.appendTail(resolved);
            values.put(header.getKey(), resolved.toString());
        }
        return new HeaderValues(values, secrets);
    }

    Map<String, String> values() {
        return values;
    }

    /** The text with every resolved secret replaced by {@code ***}. */
    String redact(String text) {
        if (text == null) {
            return null;
        }
        String redacted = text;
        for (String secret : secrets) {
            redacted = redacted.replace(secret, "***");
        }
        return redacted;
    }
}
