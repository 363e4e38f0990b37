package io.ordinaut.schedule;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.PriorityQueue;

/**
 * Turns floating wall-clock occurrences into ascending, distinct instants using
 * {@link Schedules#resolveLocal}. Near a DST gap the mapping is not monotonic (local 02:45 becomes
 * 03:45 and fires after local 03:00), and two local times can land on one instant, so instants wait
 * in a small min-heap until no later local time can resolve to an earlier or equal instant. The
 * look-ahead is bounded by the zone's offset spread, so it is empty far from transitions.
 */
final class WallClockResolver implements InstantCursor {

    private final LocalCursor locals;
    private final ZoneId zone;
    private final ZoneOffsetSpan offsets;
    private final PriorityQueue<Instant> pending = new PriorityQueue<>();
    private long lastLocalSecond;
    private boolean exhausted;
    private Instant lastEmitted;

    private WallClockResolver(LocalCursor locals, ZoneId zone, ZoneOffsetSpan offsets) {
        this.locals = locals;
        this.zone = zone;
        this.offsets = offsets;
    }

    /** The instants of {@code sequence} in {@code zone} strictly after {@code after}. */
    static InstantCursor after(LocalSequence sequence, ZoneId zone, Instant after) {
        ZoneOffsetSpan offsets = new ZoneOffsetSpan(zone.getRules());
        long a = after.getEpochSecond();
        // A local time resolving after `after` is at least `after + smallest offset` on the wall clock.
        LocalDateTime localStart = LocalDateTime.ofEpochSecond(a + offsets.minAround(a), 0, ZoneOffset.UTC);
        InstantCursor resolved = new WallClockResolver(sequence.from(localStart), zone, offsets);
        return () -> {
            Instant t = resolved.next();
            while (t != null && !t.isAfter(after)) {
                t = resolved.next();
            }
            return t;
        };
    }

    @Override
    public Instant next() {
        while (true) {
            Instant head = pending.peek();
            if (head != null && (exhausted || settled(head))) {
                pending.poll();
                if (head.equals(lastEmitted)) {
                    continue;
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
            lastLocalSecond = local.toEpochSecond(ZoneOffset.UTC);
            pending.add(Schedules.resolveLocal(local, zone).toInstant());
        }
    }

    /**
     * Every later local time L resolves to L minus some offset in effect near it, so no later
     * occurrence can be at or before {@code lastLocal - largest offset}.
     */
    private boolean settled(Instant head) {
        return head.getEpochSecond() <= lastLocalSecond - offsets.maxAround(lastLocalSecond);
    }
}
