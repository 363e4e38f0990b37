package io.ordinaut.schedule;

import static io.ordinaut.schedule.Fixtures.at;
import static io.ordinaut.schedule.Fixtures.compile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventScheduleTest {

    @ParameterizedTest
    @ValueSource(strings = {"orders.created", "a", "agents/alpha:done", "jobs.*", "metrics.#", "x-y_z.1"})
    void event_never_fires_by_time_and_has_no_sharing_key(String topic) {
        Schedule schedule = compile(ScheduleKind.EVENT, topic, "UTC");
        assertThat(schedule.definition().expression()).isEqualTo(topic);
        assertThat(schedule.nextAfter(at("2000-01-01T00:00:00Z"))).isEmpty();
        assertThat(schedule.occurrencesAfter(at("2000-01-01T00:00:00Z"), 10)).isEmpty();
        assertThat(schedule.latestBetween(at("2000-01-01T00:00:00Z"), at("2100-01-01T00:00:00Z"))).isEmpty();
        assertThat(schedule.sharingKey()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"has space", "emoji\u2603", "semi;colon", "pipe|topic", "orders.*x", "orders..x", ".orders",
            "orders.", "or#ders"})
    void event_rejects_topics_outside_the_allowed_characters(String topic) {
        assertThatThrownBy(() -> compile(ScheduleKind.EVENT, topic, "UTC"))
                .isInstanceOfSatisfying(InvalidScheduleException.class,
                        e -> assertThat(e.field()).isEqualTo("schedule_expr"))
                .hasMessageContaining("is not a valid event topic");
    }

    @org.junit.jupiter.api.Test
    void event_topic_is_limited_to_200_characters() {
        assertThat(compile(ScheduleKind.EVENT, "t".repeat(200), "UTC").definition().expression()).hasSize(200);
        assertThatThrownBy(() -> compile(ScheduleKind.EVENT, "t".repeat(201), "UTC"))
                .isInstanceOf(InvalidScheduleException.class);
    }
}
