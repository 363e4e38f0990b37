package io.ordinaut.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.PriorityQueue;

/**
 * Turns floating wall-clock occurrences into ascending, distinct instants with
 * {@link Schedules#resolveLocal}. Resolution is monotonic except at a spring-forward gap: a local
 * time inside the gap (02:45) moves to just after the transition (03:45) and so fires after the
 * first local times following the gap (03:00), and may coincide with one of them. Instants therefore
 * wait in a small min-heap while the last expanded local time is inside a gap; anywhere else they
 * are released at once.
 */
final class WallClockResolver implements InstantCursor {

    private static final Duration DAY = Duration.ofDays(1);

    private final LocalCursor locals;
    private final ZoneId zone;
    private final PriorityQueue<Instant> pending = new PriorityQueue<>();
    /** Every instant still to come from {@link #locals} is after this one. */
    private Instant settledThrough = Instant.MIN;
    private boolean exhausted;
    private Instant lastEmitted;

    private WallClockResolver(LocalCursor locals, ZoneId zone) {
        this.locals = locals;
        this.zone = zone;
    }

    /** The instants of {@code sequence} in {@code zone} strictly after {@code after}. */
    static InstantCursor after(LocalSequence sequence, ZoneId zone, Instant after) {
        InstantCursor resolved = new WallClockResolver(sequence.from(earliestLocal(zone.getRules(), after)), zone);
        return () -> {
            Instant t = resolved.next();
            while (t != null && !t.isAfter(after)) {
                t = resolved.next();
            }
            return t;
        };
    }

    /**
     * The earliest wall-clock time that can resolve to an instant after {@code after}: the wall time
     * at {@code after}, or earlier when {@code after} lies within a gap's length past a spring-forward
     * transition (local times inside that gap resolve to just after the transition).
     */
    static LocalDateTime earliestLocal(ZoneRules rules, Instant after) {
        long epochSecond = after.getEpochSecond();
        long local = epochSecond + rules.getOffset(after).getTotalSeconds();
        Instant probe = after.plusNanos(1);
        for (int i = 0; i < 4; i++) {
            ZoneOffsetTransition previous = rules.previousTransition(probe);
            if (previous == null || previous.getInstant().isBefore(after.minus(DAY))) {
                break;
            }
            if (previous.isGap() && after.isBefore(previous.getInstant().plus(previous.getDuration()))) {
                local = Math.min(local, epochSecond + previous.getOffsetBefore().getTotalSeconds());
            }
            probe = previous.getInstant();
        }
        return LocalDateTime.ofEpochSecond(local, 0, ZoneOffset.UTC);
    }

    @Override
    public Instant next() {
        while (true) {
            Instant head = pending.peek();
            if (head != null && (exhausted || !head.isAfter(settledThrough))) {
                pending.poll();
                if (head.equals(lastEmitted)) {
                    continue; // two local times resolved to the same instant: fire once
                }
                lastEmitted = head;
                return head;
            }
            if (exhausted) {
                return null;
            }
            LocalDateTime local = locals.next();
            if (local == null) {
                exhausted = true;
                continue;
            }
            ZonedDateTime resolved = Schedules.resolveLocal(local, zone);
            pending.add(resolved.toInstant());
            if (resolved.toLocalDateTime().equals(local)) {
                // Later local times resolve strictly later than a valid (or overlap) local time.
                settledThrough = resolved.toInstant();
            } else {
                // Inside a gap: later local times past the gap may resolve as early as the transition.
                settledThrough = zone.getRules().getTransition(local).getInstant().minusNanos(1);
            }
        }
    }
}
