package io.ordinaut;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * Why an http(s) URL has no host {@link URI} accepts, in words the sender can act on. {@code URI} takes a host
 * name, an IPv4 address as four decimal numbers or a bracketed IPv6 address; anything else in the authority
 * ({@code http://127.1/}, {@code http://0x7f.1/}, {@code http://a_b.example/}) leaves {@link URI#getHost()} null.
 * Short and hexadecimal IPv4 forms are refused rather than expanded: resolvers disagree on what they mean
 * ({@code 010.1} is 8.0.0.1 to inet_aton and 10.0.0.1 to Java), so the egress policy could judge one address
 * while a client connected to another.
 */
public final class UrlHosts {

    /** Parts of digits or 0x-hex, separated by dots: what reads as an IPv4 address in some resolver. */
    private static final Pattern NUMERIC = Pattern.compile("(?i)(?:0x[0-9a-f]*|[0-9]+)(?:\\.(?:0x[0-9a-f]*|[0-9]+))*\\.?");
    private static final Pattern DOTTED_QUAD = Pattern.compile("[0-9]+(?:\\.[0-9]+){3}");

    private UrlHosts() {
    }

    /** Why {@code uri} has no host, as a clause to follow "…: " ({@code its host '127.1' is …}); null when it has one. */
    public static String whyNoHost(URI uri) {
        if (uri.getHost() != null) {
            return null;
        }
        String host = host(uri.getRawAuthority());
        if (host.isEmpty()) {
            return "it has no host";
        }
        if (NUMERIC.matcher(host).matches()) {
            if (DOTTED_QUAD.matcher(host).matches()) {
                return "its host '" + host + "' is no IPv4 address: each of the four numbers is 0 to 255";
            }
            return "its host '" + host + "' is an IPv4 address in a short or hexadecimal form (as 127.1 or 0x7f.0.0.1), which"
                    + " is not accepted: write it as four decimal numbers (as 127.0.0.1)";
        }
        return "its host '" + host + "' is neither a host name (labels of letters, digits and '-' separated by '.', the last"
                + " starting with a letter) nor an IP address (IPv4 as four decimal numbers, IPv6 in brackets)";
    }

    /** The host of a raw authority: without {@code user@} and {@code :port}. */
    private static String host(String authority) {
        if (authority == null) {
            return "";
        }
        String host = authority.substring(authority.lastIndexOf('@') + 1);
        int colon = host.lastIndexOf(':');
        return colon >= 0 && !host.startsWith("[") ? host.substring(0, colon) : host;
    }
}
