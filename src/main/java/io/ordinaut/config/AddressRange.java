package io.ordinaut.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 CIDR block ({@code 10.0.0.0/8}, {@code fd00::/8}, or one address). Only literals are
 * accepted — never a host name — so parsing a configured range or a forwarded address never costs a DNS
 * lookup.
 */
public record AddressRange(byte[] network, int prefix) {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    /** A colon never occurs in a host name, so getByName takes such text as a literal without DNS. */
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    public static AddressRange parse(String text) {
        String value = text.trim();
        int slash = value.indexOf('/');
        InetAddress address = literal(slash < 0 ? value : value.substring(0, slash));
        if (address == null) {
            throw new IllegalArgumentException("ordinaut.security.trusted-proxies: " + text + " is not an IP address or CIDR block");
        }
        int bits = address.getAddress().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(value.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("ordinaut.security.trusted-proxies: " + text + " has a prefix outside 0-" + bits);
            }
        }
        return new AddressRange(address.getAddress(), prefix);
    }

    /** The address a literal names, or null when it is not an IP literal (host names are not looked up). */
    public static InetAddress literal(String text) {
        String value = text.trim();
        if (value.startsWith("[") && value.endsWith("]")) {
            value = value.substring(1, value.length() - 1);
        }
        if (value.length() > 45 || !(IPV4.matcher(value).matches() || IPV6.matcher(value).matches())) {
            return null;
        }
        try {
            return InetAddress.getByName(value);
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    public boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        if (candidate.length != network.length) {
            return false;
        }
        int whole = prefix / 8;
        for (int i = 0; i < whole; i++) {
            if (candidate[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (candidate[whole] & mask) == (network[whole] & mask);
    }
}
