package io.ordinaut.schedule;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An RFC 5545 DATE-TIME (or, for UNTIL, DATE) value: floating, UTC ("Z") or in a TZID zone.
 *
 * @param tzid the TZID parameter's zone, null for floating and UTC values
 */
record ICalDateTime(LocalDateTime local, boolean dateOnly, boolean utc, ZoneId tzid) {

    private static final Pattern FORM = Pattern.compile("(\\d{8})(?:T(\\d{6})(Z?))?");
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("uuuuMMdd")
            .withResolverStyle(ResolverStyle.STRICT);
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss")
            .withResolverStyle(ResolverStyle.STRICT);

    /**
     * @param what names the value in error messages, e.g. "DTSTART"
     */
    static ICalDateTime parse(String text, ZoneId tzid, boolean dateAllowed, String what) {
        Matcher m = FORM.matcher(text.trim().toUpperCase(java.util.Locale.ROOT));
        if (!m.matches()) {
            throw InvalidScheduleException.expression(what + " value '" + text + "' is not a date-time such"
                    + " as 20260301T090000 (local), 20260301T090000Z (UTC)"
                    + (dateAllowed ? " or a date such as 20260301" : "") + ".");
        }
        boolean dateOnly = m.group(2) == null;
        if (dateOnly && !dateAllowed) {
            throw InvalidScheduleException.expression(what + " value '" + text + "' is a date; give a"
                    + " date-time such as " + m.group(1) + "T090000.");
        }
        boolean utc = !dateOnly && !m.group(3).isEmpty();
        if (utc && tzid != null) {
            throw InvalidScheduleException.expression(what + " value '" + text + "' ends in Z (UTC) but"
                    + " also has TZID; use one or the other.");
        }
        try {
            LocalDateTime local = dateOnly
                    ? LocalDate.parse(m.group(1), DATE).atStartOfDay()
                    : LocalDateTime.parse(m.group(1) + "T" + m.group(2), DATE_TIME);
            return new ICalDateTime(local, dateOnly, utc, tzid);
        } catch (DateTimeParseException e) {
            throw InvalidScheduleException.expression(what + " value '" + text + "' is not a valid"
                    + " calendar date-time.");
        }
    }

    /** The value text without parameters: 20260301T090000, 20260301T090000Z or 20260301. */
    String value() {
        return dateOnly ? local.toLocalDate().format(DATE) : local.format(DATE_TIME) + (utc ? "Z" : "");
    }

    /** The instant, reading floating values in {@code floatingZone} with the DST rule. */
    Instant resolve(ZoneId floatingZone) {
        if (utc) {
            return local.toInstant(ZoneOffset.UTC);
        }
        return Schedules.resolveLocal(local, tzid != null ? tzid : floatingZone).toInstant();
    }
}
