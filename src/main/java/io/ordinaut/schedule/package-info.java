/**
 * Fire-time computation for task schedules: pure, immutable and thread-safe (no Spring, no I/O).
 *
 * <p>{@link io.ordinaut.schedule.Schedules#compile} validates a {@link io.ordinaut.schedule.ScheduleDefinition}
 * (throwing {@link io.ordinaut.schedule.InvalidScheduleException} that names the request field) and returns
 * a {@link io.ordinaut.schedule.Schedule}. Its definition carries the normalised expression, which is what
 * should be persisted; compiling it again yields the same schedule on any node.
 *
 * <p>Cron and RRULE are expanded in floating wall-clock time and resolved per RFC 5545 §3.3.5: a time in
 * a spring-forward gap fires shifted by the gap's length, a time in a fall-back overlap fires once at its
 * earlier instant, and local times that land on one instant fire once. Interval schedules use exact
 * durations; once schedules a single instant; event schedules never fire by time.
 */
package io.ordinaut.schedule;
