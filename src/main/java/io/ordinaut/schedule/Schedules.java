package io.ordinaut.schedule;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/** Entry point: validates schedule definitions and compiles them into {@link Schedule}s. */
public final class Schedules {

    private Schedules() {
    }

    /**
     * Validates {@code d} and compiles it. The result's definition carries the normalised
     * expression and canonical zone, and compiling that again yields an identical schedule.
     *
     * @throws InvalidScheduleException naming the field the user has to fix
     */
    public static Schedule compile(ScheduleDefinition d) {
        Objects.requireNonNull(d, "definition");
        if (d.kind() == null) {
            throw new InvalidScheduleException(InvalidScheduleException.SCHEDULE_KIND,
                    "schedule_kind is required; use one of cron, rrule, once, interval, event.");
        }
        if (d.zone() == null) {
            throw new InvalidScheduleException(InvalidScheduleException.TIMEZONE,
                    "timezone is required; use an IANA name such as Europe/Paris or UTC.");
        }
        Objects.requireNonNull(d.anchor(), "anchor");
        ZoneId zone = zone(d.zone().getId());
        if (d.startAt() != null && d.endAt() != null && !d.endAt().isAfter(d.startAt())) {
            throw new InvalidScheduleException(InvalidScheduleException.END_AT,
                    "end_at (" + d.endAt() + ") must be after start_at (" + d.startAt() + ").");
        }
        String expression = d.expression() == null ? "" : d.expression().trim();
        if (expression.isEmpty()) {
            throw InvalidScheduleException.expression(
                    "schedule_expr is required for a " + d.kind().wireName() + " schedule.");
        }
        ScheduleDefinition cleaned = new ScheduleDefinition(d.kind(), expression, zone, d.anchor(),
                d.startAt(), d.endAt());
        return switch (d.kind()) {
            case CRON -> CronSchedule.compile(cleaned);
            case RRULE -> RecurrenceSchedule.compile(cleaned);
            case ONCE -> OnceSchedule.compile(cleaned);
            case INTERVAL -> IntervalSchedule.compile(cleaned);
            case EVENT -> EventSchedule.compile(cleaned);
        };
    }

    /**
     * Refuses (on schedule_expr) a schedule too costly to answer for {@code at}: an RRULE with COUNT whose
     * replay from DTSTART to {@code at} exceeds a fixed budget. Called where users define schedules
     * (create, update, preview), not when stored ones are compiled to fire.
     *
     * @throws InvalidScheduleException saying how to define the schedule instead
     */
    public static void requireAffordable(Schedule schedule, Instant at) {
        if (schedule instanceof RecurrenceSchedule recurrence) {
            recurrence.requireAffordableAt(at);
        }
    }

    /**
     * Looks up an IANA zone name from the JDK's list (case-insensitive, returned in its canonical
     * spelling). Offsets such as "+05:00" are rejected: they do not follow daylight saving time.
     */
    public static ZoneId zone(String ianaName) {
        if (ianaName == null || ianaName.isBlank()) {
            throw new InvalidScheduleException(InvalidScheduleException.TIMEZONE,
                    "timezone is required; use an IANA name such as Europe/Paris or UTC.");
        }
        String id = ZoneNames.BY_LOWER_CASE.get(ianaName.trim().toLowerCase(java.util.Locale.ROOT));
        if (id == null) {
            throw new InvalidScheduleException(InvalidScheduleException.TIMEZONE,
                    "'" + ianaName + "' is not a known time zone; use an IANA name such as Europe/Paris,"
                            + " America/New_York or UTC.");
        }
        return ZoneId.of(id);
    }

    /**
     * Turns a wall-clock time into an instant the way RFC 5545 §3.3.5 asks: a time inside a
     * spring-forward gap moves forward by the gap's length (02:30 becomes 03:30), a time inside a
     * fall-back overlap takes the earlier of its two instants.
     */
    public static ZonedDateTime resolveLocal(LocalDateTime ldt, ZoneId zone) {
        return ZonedDateTime.ofLocal(ldt, zone, null);
    }

    /** Built once: the JDK's zone list does not change while the process runs. */
    private static final class ZoneNames {
        static final Map<String, String> BY_LOWER_CASE = new HashMap<>();

        static {
            for (String id : ZoneId.getAvailableZoneIds()) {
                BY_LOWER_CASE.put(id.toLowerCase(java.util.Locale.ROOT), id);
            }
        }
    }
}
