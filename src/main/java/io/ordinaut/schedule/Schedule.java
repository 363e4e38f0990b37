package io.ordinaut.schedule;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A compiled, immutable, thread-safe schedule: answers when a task fires. */
public interface Schedule {

    /** The first fire instant strictly after {@code after}. */
    Optional<Instant> nextAfter(Instant after);

    /** The next {@code count} distinct fire instants strictly after {@code after}, ascending. */
    List<Instant> occurrencesAfter(Instant after, int count);

    /** The last fire instant in [fromInclusive, toInclusive], for misfire catch-up. */
    Optional<Instant> latestBetween(Instant fromInclusive, Instant toInclusive);

    /** The definition with the normalised expression; compiling it again gives the same schedule. */
    ScheduleDefinition definition();

    /**
     * Equal keys mean identical fire instants once both tasks exist, so such tasks can share one
     * trigger. Null for schedules that never fire by time (events).
     */
    String sharingKey();
}
