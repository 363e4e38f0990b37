package io.ordinaut.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class EventMatchingTest {

    @ParameterizedTest
    @CsvSource({
            "orders.created, orders.created, true",
            "orders.created, orders.created.eu, false",
            "orders.*, orders.created, true",
            "orders.*, orders, false",
            "orders.*, orders.eu.created, false",
            "orders.#, orders, true",
            "orders.#, orders.created, true",
            "orders.#, orders.eu.created, true",
            "orders.#, shop.orders, false",
            "*.created, orders.created, true",
            "*.created, orders.eu.created, false",
            "#.created, orders.eu.created, true",
            "#.created, created, true",
            "#, anything.at.all, true",
            "orders.#.done, orders.done, true",
            "orders.#.done, orders.a.b.done, true",
            "orders.#.done, orders.a.b, false"})
    void patterns_match_one_segment_with_star_and_any_depth_with_hash(String pattern, String topic, boolean matches) {
        assertThat(TopicPattern.matches(pattern, topic)).isEqualTo(matches);
    }

    @ParameterizedTest
    @ValueSource(strings = {"has space", "wild.*", "orders.#", "a..b", ".a", "a.", ""})
    void published_topics_are_names_without_wildcards_or_empty_segments(String topic) {
        assertThat(TopicPattern.isTopic(topic)).isFalse();
    }

    @Test
    void a_dedupe_template_renders_over_the_event_and_yields_no_key_when_a_value_is_missing() {
        EventExpressions expressions = new EventExpressions(tools.jackson.databind.json.JsonMapper.builder().build());
        Map<String, Object> event = Map.of("topic", "t", "payload", Map.of("order_id", "o-1", "n", 3));
        assertThat(expressions.dedupeKey("order-${event.payload.order_id}/${event.payload.n}", event)).isEqualTo("order-o-1/3");
        assertThat(expressions.dedupeKey("order-${event.payload.missing}", event)).isNull();
        assertThat(expressions.dedupeKey("fixed", event)).isEqualTo("fixed");
        assertThat(expressions.dedupeKey(null, event)).isNull();
    }

    @Test
    void a_filter_is_truthy_in_the_jmespath_sense() {
        Map<String, Object> event = Map.of("topic", "t", "payload", Map.of("amount", 250, "tags", java.util.List.of()));
        assertThat(EventExpressions.passes("payload.amount > `100`", event)).isTrue();
        assertThat(EventExpressions.passes("payload.amount > `1000`", event)).isFalse();
        assertThat(EventExpressions.passes("payload.tags", event)).isFalse();
        assertThat(EventExpressions.passes("payload.missing", event)).isFalse();
        assertThat(EventExpressions.passes("topic", event)).isTrue();
        assertThat(EventExpressions.passes(null, event)).isTrue();
    }

    @Test
    void slices_and_large_literals_in_filters_and_dedupe_keys_evaluate_as_in_pipelines() {
        // the library's slice threw on [::-1] of an empty array, so the task was silently not triggered
        Map<String, Object> event = Map.of("topic", "t", "payload", Map.of("tags", java.util.List.of(),
                "ids", java.util.List.of("a", "b"), "big", new java.math.BigInteger("12345678901234567890")));
        assertThat(EventExpressions.passes("payload.tags[::-1] == `[]`", event)).isTrue();
        assertThat(EventExpressions.passes("payload.big == `12345678901234567890`", event)).isTrue();
        EventExpressions expressions = new EventExpressions(tools.jackson.databind.json.JsonMapper.builder().build());
        assertThat(expressions.dedupeKey("k-${event.payload.ids[::-1]}", event)).isEqualTo("k-[\"b\",\"a\"]");
        assertThat(expressions.dedupeKey("k-${event.payload.tags[::-1] | length(@)}", event)).isEqualTo("k-0");
    }
}
