package io.ordinaut;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;

/**
 * Says which JSON rule a document broke, and where, in the sender's terms: {@code Request body is not valid
 * JSON: trailing comma before '}' at line 1, column 8}. Jackson's own messages name its classes, features and
 * limits ({@code enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow}, {@code StreamReadConstraints})
 * and a redacted input source, which a sender can do nothing with, so each failure the parser is known to
 * report is said again here; one it is not known to report says only where it happened. Lines and columns
 * are 1-based; columns count bytes. Shared by the REST bodies and the inbound stream's payloads, so both say
 * the same words; the limits are those of the application's parser (the web package's JsonConfiguration).
 */
public final class JsonSyntax {

    private static final Logger log = LoggerFactory.getLogger(JsonSyntax.class);
    public static final int MAX_DEPTH = 200;
    public static final int MAX_NUMBER_LENGTH = 100;
    public static final int MAX_NAME_LENGTH = 1000;
    /** Bodies are at most ordinaut.security.max-body-bytes anyway; this bounds any other document too. */
    public static final int MAX_STRING_LENGTH = 16 * 1024 * 1024;
    /** Longest piece of the sender's text (a key, a token) repeated in a message. */
    private static final int SHOWN = 100;

    private static final Pattern UNEXPECTED = Pattern.compile("^Unexpected character \\(.*?code (\\d+).*?\\)\\)( in numeric value)?: (.*)$",
            Pattern.DOTALL);
    private static final Pattern CLOSE_MARKER = Pattern.compile("^Unexpected close marker '(.)': (?:expected '(.)')?");
    private static final Pattern TOKEN = Pattern.compile("^(?:Unrecognized|Non-standard) token '(.*?)'(?::|$)", Pattern.DOTALL);
    private static final Pattern CODE = Pattern.compile("code (\\d+)");

    private JsonSyntax() {
    }

    /**
     * {@code <subject> is not valid JSON}, then what was wrong, where, and what was expected, as far as known:
     * {@code payload is not valid JSON: duplicate key "a" at line 1, column 12}.
     */
    public static String notValid(String subject, JacksonException e) {
        Rule rule = rule(e);
        StringBuilder message = new StringBuilder(subject).append(" is not valid JSON");
        if (rule.what() != null) {
            message.append(": ").append(rule.what());
        }
        if (line(e) > 0) {
            message.append(" at line ").append(line(e)).append(", column ").append(column(e));
        }
        if (rule.expected() != null) {
            message.append(": ").append(rule.expected());
        }
        return message.toString();
    }

    /** The line the parser stopped at, or 0 when it is not known. */
    public static int line(JacksonException e) {
        TokenStreamLocation at = e.getLocation();
        return at != null && at.getLineNr() > 0 && at.getColumnNr() > 0 ? at.getLineNr() : 0;
    }

    /** The column (in bytes) the parser stopped at, or 0 when it is not known. */
    public static int column(JacksonException e) {
        return line(e) > 0 ? e.getLocation().getColumnNr() : 0;
    }

    /** What was wrong, and what the parser expected instead (null when it says nothing useful). */
    private record Rule(String what, String expected) {
    }

    private static Rule rule(JacksonException e) {
        String said = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (e instanceof StreamConstraintsException) {
            return new Rule(limit(said), null);
        }
        if (said.startsWith("Duplicate Object property \"")) {
            String key = said.substring(said.indexOf('"') + 1, Math.max(said.indexOf('"') + 1, said.lastIndexOf('"')));
            return new Rule("duplicate key \"" + shown(key) + "\"", null);
        }
        Matcher unexpected = UNEXPECTED.matcher(said);
        if (unexpected.find()) {
            return unexpected(Integer.parseInt(unexpected.group(1)), unexpected.group(2) != null, unexpected.group(3), inArray(e));
        }
        Matcher close = CLOSE_MARKER.matcher(said);
        if (close.find()) {
            return new Rule("unexpected '" + close.group(1) + "'",
                    close.group(2) == null ? "nothing is open to close" : "expected '" + close.group(2) + "' first");
        }
        Matcher token = TOKEN.matcher(said);
        if (token.find()) {
            return said.startsWith("Non-standard") ? new Rule(shown(token.group(1)) + " is not a JSON number", null)
                    : new Rule("unrecognized token '" + shown(token.group(1)) + "'", "expected a string, number, object, array, "
                            + "true, false or null");
        }
        if (said.startsWith("Illegal unquoted character")) {
            return new Rule("an unescaped control character " + codePoint(said) + " in a string", "escape it (\\n, \\t, \\u0001 …)");
        }
        if (said.startsWith("Illegal character")) {
            return new Rule("a control character " + codePoint(said) + " between values", null);
        }
        if (said.startsWith("Unrecognized character escape")) {
            return new Rule("an unknown escape sequence in a string", "escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX");
        }
        if (said.startsWith("Invalid UTF-8")) {
            return new Rule("bytes that are not UTF-8", null);
        }
        if (said.startsWith("Invalid numeric value: Leading zeroes")) {
            return new Rule("a number with a leading zero", null);
        }
        if (said.startsWith("Invalid numeric value")) {
            return new Rule("a malformed number", null);
        }
        if (said.startsWith("Unexpected end-of-input")) {
            return new Rule("the body ends before its JSON does", null);
        }
        if (said.startsWith("Trailing token")) {
            return new Rule("content after the JSON value", "send one JSON object");
        }
        if (said.startsWith("No content to map")) {
            return new Rule("the body is empty", null);
        }
        // A failure not foreseen here: where it is, never the parser's words (they name its classes).
        log.debug("Unrecognised JSON parse failure: {}", said);
        return new Rule(null, null);
    }

    private static Rule unexpected(int code, boolean inNumber, String expectation, boolean inArray) {
        String character = character(code);
        if (inNumber) {
            if (expectation.startsWith("Decimal point")) {
                return new Rule("a decimal point not followed by a digit", null);
            }
            if (expectation.contains("minus sign")) {
                return new Rule("a minus sign not followed by a digit", null);
            }
            if (expectation.startsWith("Exponent")) {
                return new Rule("an exponent not followed by a digit", null);
            }
            if (expectation.contains("plus sign")) {
                return new Rule("a number with a plus sign", null);
            }
            return new Rule("unexpected character " + character + " in a number", null);
        }
        // '}' where a key must follow can only come after a comma ({} is an empty object); ']' where an array's
        // value must follow, likewise ([] is an empty array; in an object, {"a":] is a missing value).
        if (expectation.startsWith("was expecting double-quote to start property name")) {
            return code == '}' ? new Rule("trailing comma before '}'", null)
                    : new Rule("unexpected character " + character, "expected a key in double quotes");
        }
        boolean valueExpected = expectation.startsWith("expected a value") || expectation.startsWith("expected a valid value");
        if (valueExpected && code == ']' && inArray) {
            return new Rule("trailing comma before ']'", null);
        }
        if (valueExpected) {
            return new Rule("unexpected character " + character, "expected a value");
        }
        if (expectation.startsWith("was expecting a colon")) {
            return new Rule("unexpected character " + character, "expected ':' after a key");
        }
        if (expectation.startsWith("was expecting comma to separate Object")) {
            return new Rule("unexpected character " + character, "expected ',' or '}'");
        }
        if (expectation.startsWith("was expecting comma to separate Array")) {
            return new Rule("unexpected character " + character, "expected ',' or ']'");
        }
        if (expectation.contains("comment")) {
            return new Rule("a comment, which JSON does not have", null);
        }
        return new Rule("unexpected character " + character, null);
    }

    /** Whether the parser stopped inside an array; false when it is not known. */
    private static boolean inArray(JacksonException e) {
        return e instanceof StreamReadException read && read.processor() != null && read.processor().streamReadContext() != null
                && read.processor().streamReadContext().inArray();
    }

    private static String limit(String said) {
        if (said.startsWith("Document nesting depth")) {
            return "objects and arrays nested deeper than " + MAX_DEPTH + " levels";
        }
        if (said.startsWith("Number value length")) {
            return "a number longer than " + MAX_NUMBER_LENGTH + " characters";
        }
        if (said.startsWith("Name length")) {
            return "a key longer than " + MAX_NAME_LENGTH + " characters";
        }
        if (said.startsWith("String value length")) {
            return "a string longer than " + MAX_STRING_LENGTH + " characters";
        }
        return "a value beyond the parser's limits";
    }

    /** {@code 'x'} for a visible ASCII character, else its code point: {@code U+000A}. */
    private static String character(int code) {
        return code > 32 && code < 127 ? "'" + (char) code + "'" : String.format("U+%04X", code);
    }

    private static String codePoint(String said) {
        Matcher code = CODE.matcher(said);
        return code.find() ? String.format("U+%04X", Integer.parseInt(code.group(1))) : "";
    }

    /** The caller's text, cut short, with control characters as {@code \\uXXXX}, to repeat in a message. */
    private static String shown(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(SHOWN).forEach(c -> {
            boolean loneSurrogate = c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE;
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT || loneSurrogate) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return text.codePointCount(0, text.length()) > SHOWN ? out + "…" : out.toString();
    }
}
