package io.ordinaut.tool;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Reads an HTTP {@code Retry-After} header: delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
final class RetryAfter {

    /** A server asking for more than a day is not waited for by a step retry anyway. */
    private static final Duration MAX = Duration.ofDays(1);

    private RetryAfter() {
    }

    /** @return the wait asked for, zero for a date in the past, or null when absent or unreadable */
    static Duration parse(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        if (v.chars().allMatch(Character::isDigit)) {
            if (v.length() > 9) {
                return MAX;
            }
            Duration seconds = Duration.ofSeconds(Long.parseLong(v));
            return seconds.compareTo(MAX) > 0 ? MAX : seconds;
        }
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration wait = Duration.between(now, at);
            if (wait.isNegative()) {
                return Duration.ZERO;
            }
            return wait.compareTo(MAX) > 0 ? MAX : wait;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
