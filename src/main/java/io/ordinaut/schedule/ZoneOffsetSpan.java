package io.ordinaut.schedule;

import java.time.Instant;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;

/**
 * The smallest and largest UTC offsets a zone uses within a few days of an instant. They bound how
 * far a wall-clock time can be from its instant, which is all the DST resolution needs to know to
 * find where to start expanding and how far to look ahead. Cached per window; not thread-safe (one
 * per cursor).
 */
final class ZoneOffsetSpan {

    private static final long DAY = 86_400;
    /** Queries are answered from a window reaching at least this far on both sides. */
    private static final long GUARD = 2 * DAY;
    private static final long WINDOW = 3 * DAY;

    private final ZoneRules rules;
    private long windowFrom = 1;
    private long windowTo = 0;
    private int min;
    private int max;

    ZoneOffsetSpan(ZoneRules rules) {
        this.rules = rules;
        if (rules.isFixedOffset()) {
            min = max = rules.getOffset(Instant.EPOCH).getTotalSeconds();
            windowFrom = Long.MIN_VALUE;
            windowTo = Long.MAX_VALUE;
        }
    }

    /** Smallest offset, in seconds, in effect within two days of {@code epochSecond}. */
    int minAround(long epochSecond) {
        cover(epochSecond);
        return min;
    }

    /** Largest offset, in seconds, in effect within two days of {@code epochSecond}. */
    int maxAround(long epochSecond) {
        cover(epochSecond);
        return max;
    }

    private void cover(long s) {
        if (s - GUARD >= windowFrom && s + GUARD <= windowTo) {
            return;
        }
        windowFrom = s - WINDOW;
        windowTo = s + WINDOW;
        Instant t = Instant.ofEpochSecond(windowFrom);
        min = max = rules.getOffset(t).getTotalSeconds();
        while (true) {
            ZoneOffsetTransition transition = rules.nextTransition(t);
            if (transition == null || transition.getInstant().getEpochSecond() > windowTo) {
                return;
            }
            int after = transition.getOffsetAfter().getTotalSeconds();
            min = Math.min(min, after);
            max = Math.max(max, after);
            t = transition.getInstant();
        }
    }
}
