package io.ordinaut.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.api.Test;

/** An occurrence is written as the instant it fires at: its offset is never cut to minutes. */
class OccurrenceFormatTest {

    @Test
    void an_offset_with_seconds_is_written_with_its_seconds() {
        // given instants in zones whose offset then had seconds (IANA tzdata, local mean times):
        // Monrovia -0:44:30 until 1972-01-07, Dublin -0:25:21 until 1916-10-01, New York -4:56:02 until 1883-11-18
        List<Instant> monrovia = List.of(Instant.parse("1971-06-01T12:44:30Z"));
        List<Instant> dublin = List.of(Instant.parse("1915-06-01T12:25:21Z"));
        List<Instant> newYork = List.of(Instant.parse("0001-01-01T04:56:02.500Z"));

        // when they are formatted, then each shows the local noon (midnight) with the whole offset
        assertThat(OccurrenceFormat.format(monrovia, ZoneId.of("Africa/Monrovia")))
                .containsExactly("1971-06-01T12:00:00-00:44:30");
        assertThat(OccurrenceFormat.format(dublin, ZoneId.of("Europe/Dublin")))
                .containsExactly("1915-06-01T12:00:00-00:25:21");
        assertThat(OccurrenceFormat.format(newYork, ZoneId.of("America/New_York")))
                .containsExactly("0001-01-01T00:00:00.500-04:56:02");
    }

    @Test
    void offsets_in_whole_minutes_and_utc_are_written_as_before() {
        assertThat(OccurrenceFormat.format(List.of(Instant.parse("2026-07-01T07:00:00Z")), ZoneId.of("Europe/Paris")))
                .containsExactly("2026-07-01T09:00:00+02:00");
        assertThat(OccurrenceFormat.format(List.of(Instant.parse("2026-07-01T07:00:00Z")), ZoneId.of("Asia/Kathmandu")))
                .containsExactly("2026-07-01T12:45:00+05:45");
        assertThat(OccurrenceFormat.format(List.of(Instant.parse("2026-07-01T07:00:00.250Z")), ZoneId.of("UTC")))
                .containsExactly("2026-07-01T07:00:00.250Z");
    }

    @Test
    void what_is_written_reads_back_as_the_same_instant() {
        Instant fires = Instant.parse("1971-06-01T12:44:30Z");
        String written = OccurrenceFormat.format(List.of(fires), ZoneId.of("Africa/Monrovia")).get(0);
        assertThat(OffsetDateTime.parse(written).toInstant()).isEqualTo(fires);
    }
}
