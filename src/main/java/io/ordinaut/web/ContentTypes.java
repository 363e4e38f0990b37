package io.ordinaut.web;

import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.util.Locale;

import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;

/**
 * Why a request's {@code Content-Type} is refused, in words the caller can act on. Spring reports a header it
 * cannot parse — an unknown charset among them — as if there were none, which sent a caller looking for a
 * header it had sent.
 */
public final class ContentTypes {

    /** Longest part of the caller's header repeated in a message. */
    private static final int SHOWN = 100;

    private ContentTypes() {
    }

    /**
     * The message for a Content-Type header that was sent but is refused: an unsupported charset (named), a
     * malformed header, or a media type the route does not take; {@code remedy} says what to send instead.
     */
    public static String refusal(String header, String remedy) {
        String shown = shown(header);
        try {
            MediaType.parseMediaType(header);
        } catch (InvalidMediaTypeException e) {
            String charset = charset(header);
            if (charset != null && !supported(charset)) {
                return "Content-Type " + shown + " names the charset \"" + shown(charset) + "\", which is not supported; send JSON in "
                        + "UTF-8 as application/json (charset=utf-8, or none)";
            }
            return "Content-Type " + shown + " is malformed; " + remedy;
        }
        return "Content-Type " + shown + " is not supported; " + remedy;
    }

    /** Whether Spring can parse the header (an unknown charset cannot be). */
    public static boolean parses(String header) {
        try {
            MediaType.parseMediaType(header);
            return true;
        } catch (InvalidMediaTypeException e) {
            return false;
        }
    }

    /**
     * The charset a header that {@link #parses} names, or null when it names none (then UTF-8 is meant, as on the
     * REST routes).
     */
    public static Charset namedCharset(String header) {
        String name = header == null ? null : charset(header);
        return name == null ? null : Charset.forName(name);
    }

    /** The value of the header's charset parameter, unquoted; null when it names none. */
    private static String charset(String header) {
        String[] parts = header.split(";");
        for (int i = 1; i < parts.length; i++) {
            int equals = parts[i].indexOf('=');
            if (equals > 0 && parts[i].substring(0, equals).trim().toLowerCase(Locale.ROOT).equals("charset")) {
                String value = parts[i].substring(equals + 1).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                return value;
            }
        }
        return null;
    }

    private static boolean supported(String charset) {
        try {
            return Charset.isSupported(charset);
        } catch (IllegalCharsetNameException e) {
            return false;
        }
    }

    /** The caller's text, cut short and without control characters, to repeat in a message. */
    private static String shown(String text) {
        String clean = text.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > SHOWN ? clean.substring(0, SHOWN) + "…" : clean;
    }
}
