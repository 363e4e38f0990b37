package io.ordinaut.schedule;

import java.time.Instant;
import java.time.ZoneId;

/**
 * What a task says about when it runs. {@link Schedules#compile} validates it; the compiled
 * {@link Schedule#definition()} carries the normalised expression, which is what gets persisted.
 *
 * @param kind       how {@code expression} is read
 * @param expression cron fields, RRULE text, instant, ISO duration or event topic
 * @param zone       wall-clock zone for cron, RRULE and local once times
 * @param anchor     when the task was created: an RRULE without DTSTART starts at 00:00 local time
 *                   of this date; an interval without startAt counts from it
 * @param startAt    no occurrence before this instant (inclusive); nullable
 * @param endAt      no occurrence after this instant (inclusive); nullable
 */
public record ScheduleDefinition(ScheduleKind kind, String expression, ZoneId zone, Instant anchor,
                                 Instant startAt, Instant endAt) {
}
