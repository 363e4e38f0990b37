package io.ordinaut.schedule;

import static io.ordinaut.schedule.Fixtures.at;
import static io.ordinaut.schedule.Fixtures.instants;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.junit.jupiter.api.Test;

class WallClockResolverTest {

    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    /** A fixed list of wall-clock times, as a cron or RRULE expansion would produce them. */
    private static LocalSequence localTimes(String... isoLocal) {
        List<LocalDateTime> all = new ArrayList<>();
        for (String s : isoLocal) {
            all.add(LocalDateTime.parse(s));
        }
        return from -> {
            Iterator<LocalDateTime> it = all.stream().filter(t -> !t.isBefore(from)).iterator();
            return () -> it.hasNext() ? it.next() : null;
        };
    }

    private static List<Instant> drain(InstantCursor cursor) {
        List<Instant> out = new ArrayList<>();
        for (Instant t = cursor.next(); t != null; t = cursor.next()) {
            out.add(t);
        }
        return out;
    }

    @Test
    void resolved_instants_are_ascending_and_distinct_around_a_spring_forward_gap() {
        // Local 02:00-02:45 do not exist on 2026-03-08: they land on 03:00-03:45 EDT, which the local
        // times after the gap produce again, and 02:45 (-> 07:45Z) comes before 03:00 (-> 07:00Z) locally.
        LocalSequence sequence = localTimes("2026-03-08T01:45", "2026-03-08T02:00", "2026-03-08T02:15",
                "2026-03-08T02:30", "2026-03-08T02:45", "2026-03-08T03:00", "2026-03-08T03:15",
                "2026-03-08T03:30", "2026-03-08T03:45", "2026-03-08T04:00");
        assertThat(drain(WallClockResolver.after(sequence, NEW_YORK, at("2026-03-08T00:00:00Z"))))
                .containsExactlyElementsOf(instants("2026-03-08T06:45:00Z", "2026-03-08T07:00:00Z",
                        "2026-03-08T07:15:00Z", "2026-03-08T07:30:00Z", "2026-03-08T07:45:00Z",
                        "2026-03-08T08:00:00Z"));
    }

    @Test
    void a_gap_time_that_resolves_after_later_wall_times_is_not_lost() {
        // Only 02:45 and 03:00 exist in the sequence: 03:00 EDT (07:00Z) fires before 02:45 -> 03:45 EDT.
        LocalSequence sequence = localTimes("2026-03-08T02:45", "2026-03-08T03:00", "2026-03-08T05:00");
        assertThat(drain(WallClockResolver.after(sequence, NEW_YORK, at("2026-03-08T00:00:00Z"))))
                .containsExactlyElementsOf(instants("2026-03-08T07:00:00Z", "2026-03-08T07:45:00Z",
                        "2026-03-08T09:00:00Z"));
        // Asked from 03:10 EDT, 02:45's shifted instant is still ahead even though 02:45 < 03:10 on the wall.
        assertThat(drain(WallClockResolver.after(sequence, NEW_YORK, at("2026-03-08T07:10:00Z"))))
                .containsExactlyElementsOf(instants("2026-03-08T07:45:00Z", "2026-03-08T09:00:00Z"));
    }

    @Test
    void fall_back_overlap_times_fire_once_in_their_first_offset() {
        LocalSequence sequence = localTimes("2026-11-01T00:30", "2026-11-01T01:00", "2026-11-01T01:30",
                "2026-11-01T02:00");
        assertThat(drain(WallClockResolver.after(sequence, NEW_YORK, at("2026-11-01T00:00:00Z"))))
                .containsExactlyElementsOf(instants("2026-11-01T04:30:00Z", "2026-11-01T05:00:00Z",
                        "2026-11-01T05:30:00Z", "2026-11-01T07:00:00Z"));
    }

    @Test
    void earliest_local_time_reaches_back_into_a_gap_only_right_after_it() {
        assertThat(WallClockResolver.earliestLocal(NEW_YORK.getRules(), at("2026-03-08T07:10:00Z")))
                .isEqualTo(LocalDateTime.parse("2026-03-08T02:10"));
        assertThat(WallClockResolver.earliestLocal(NEW_YORK.getRules(), at("2026-03-08T08:10:00Z")))
                .isEqualTo(LocalDateTime.parse("2026-03-08T04:10"));
        assertThat(WallClockResolver.earliestLocal(NEW_YORK.getRules(), at("2026-11-01T06:10:00Z")))
                .isEqualTo(LocalDateTime.parse("2026-11-01T01:10"));
    }
}
