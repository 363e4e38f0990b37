package io.ordinaut.tool;

import java.net.UnknownHostException;
import java.util.regex.Pattern;

import javax.net.ssl.SSLException;

/**
 * Says what went wrong on the wire in words a tool's owner can act on. Step errors and discovery answers
 * are read by agents and people, not by Java programmers: a class name ({@code java.net.ConnectException:})
 * tells them nothing the message does not, so it is left out.
 */
final class IoFailures {

    /** A leading {@code some.package.SomeException: } as {@code Throwable.toString()} writes it. */
    private static final Pattern CLASS_PREFIX = Pattern.compile("^(?:[a-z_][\\w$]*\\.)+[A-Z][\\w$]*(?::\\s*|$)");

    private IoFailures() {
    }

    static String describe(Throwable e) {
        if (e instanceof UnknownHostException) {
            return "unknown host " + message(e);
        }
        if (e instanceof SSLException) {
            return "TLS failed: " + message(e);
        }
        return message(e);
    }

    /** The first message in the cause chain, without class names; a fixed phrase when none says anything. */
    private static String message(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String text = t.getMessage();
            if (text == null) {
                continue;
            }
            String stripped = text.strip();
            // a wrapping exception's message is often its cause's toString(), possibly nested
            for (String shorter = CLASS_PREFIX.matcher(stripped).replaceFirst(""); !shorter.equals(stripped);
                 shorter = CLASS_PREFIX.matcher(stripped).replaceFirst("")) {
                stripped = shorter.strip();
            }
            if (!stripped.isEmpty()) {
                return stripped;
            }
        }
        return "the connection failed";
    }
}
