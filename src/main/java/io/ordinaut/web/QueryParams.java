package io.ordinaut.web;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;

import io.ordinaut.JsonFields;

/**
 * Typed, validating access to query parameters; a bad value is a 400 naming the parameter. A parameter the
 * handler reads must be given once and not empty: {@code ?status=active&status=paused} or {@code ?status=}
 * would otherwise be read as one of the values, or as no filter at all — a list quietly wider than asked for.
 */
public final class QueryParams {

    private final MultiValueMap<String, String> values;

    private QueryParams(MultiValueMap<String, String> values) {
        this.values = values;
    }

    /** Unknown parameters are ignored, as the original API does and as HTTP clients and proxies may add their own. */
    public static QueryParams of(MultiValueMap<String, String> values) {
        return new QueryParams(values);
    }

    /** The request's parameters, for a handler that takes no {@code @RequestParam} map. */
    public static QueryParams of(HttpServletRequest request) {
        MultiValueMap<String, String> values = new LinkedMultiValueMap<>();
        request.getParameterMap().forEach((name, given) -> values.put(name, List.of(given)));
        return new QueryParams(values);
    }

    /** The parameter's value as sent, null when absent; a 400 when it is given more than once. */
    private String single(String name) {
        List<String> given = values.get(name);
        if (given == null || given.isEmpty()) {
            return null;
        }
        if (given.size() > 1) {
            throw ApiException.badRequest(name, name + " is given " + given.size() + " times; give it once");
        }
        return given.get(0);
    }

    public String string(String name) {
        String v = single(name);
        if (v != null && v.isEmpty()) {
            throw ApiException.badRequest(name, name + " is empty; give it a value or leave it out");
        }
        return v;
    }

    public String oneOf(String name, List<String> allowed) {
        String v = string(name);
        if (v != null && !allowed.contains(v)) {
            throw ApiException.badRequest(name, name + " must be one of " + String.join(", ", allowed) + " (got \"" + v + "\")");
        }
        return v;
    }

    public int integer(String name, int min, int max, int fallback) {
        String v = string(name);
        if (v == null) {
            return fallback;
        }
        // BigInteger, not Long.parseLong: a value beyond a long is out of range, not "not an integer"
        BigInteger n;
        try {
            n = new BigInteger(v.trim());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name, name + " must be an integer (got \"" + v + "\")");
        }
        if (n.compareTo(BigInteger.valueOf(min)) < 0 || n.compareTo(BigInteger.valueOf(max)) > 0) {
            throw ApiException.badRequest(name, name + " must be between " + min + " and " + max + " (got " + v.trim() + ")");
        }
        return n.intValueExact();
    }

    /** The {@code offset} of a list page: 0 or more, default 0 — the same on every list. */
    public int offset() {
        return integer("offset", 0, Integer.MAX_VALUE, 0);
    }

    /**
     * A boolean flag: exactly {@code true} or {@code false}, null when absent. Anything else — {@code 1}, {@code TRUE},
     * or the parameter given empty ({@code ?cluster=}) — is a 400 naming it, rather than a guess at what was meant.
     */
    public Boolean bool(String name) {
        String v = single(name);
        if (v == null) {
            return null;
        }
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ApiException.badRequest(name, name + " must be true or false (got \"" + v + "\")");
        };
    }

    public UUID uuid(String name) {
        String v = string(name);
        if (v == null) {
            return null;
        }
        try {
            return UUID.fromString(v);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(name, name + " must be a UUID (got \"" + v + "\")");
        }
    }

    /** An ISO-8601 instant with offset. A '+' left unencoded in a URL arrives as a space; it is restored. */
    public Instant instant(String name) {
        String v = string(name);
        return v == null ? null : JsonFields.parseInstant(name, v.trim().replace(' ', '+'));
    }
}
