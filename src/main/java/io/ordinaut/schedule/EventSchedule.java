package io.ordinaut.schedule;

import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/** Fired by published events on a topic, never by time; the expression is the topic name. */
final class EventSchedule extends BoundedSchedule {

    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._:/*#-]{1,200}");

    private EventSchedule(ScheduleDefinition definition) {
        super(definition);
    }

    static EventSchedule compile(ScheduleDefinition d) {
        if (!TOPIC.matcher(d.expression()).matches()) {
            throw InvalidScheduleException.expression("'" + d.expression() + "' is not a valid event topic: use"
                    + " 1 to 200 characters among letters, digits and . _ : / * # -");
        }
        return new EventSchedule(d);
    }

    @Override
    InstantCursor cursorAfter(Instant after) {
        return InstantCursor.EMPTY;
    }

    @Override
    Optional<Instant> latestWithin(Instant lo, Instant hi) {
        return Optional.empty();
    }

    /** Events have no fire times to share. */
    @Override
    public String sharingKey() {
        return null;
    }
}
