package io.ordinaut.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.ordinaut.pipeline.PipelineDefinition;

/** The parse cache is bounded by the bytes its payloads hold, not by how many there are. */
class ParsedPipelinesTest {

    static String payload(int index, int padding) {
        return "{\"params\":{\"pad\":\"" + "x".repeat(padding) + "\"},\"pipeline\":[{\"id\":\"s" + index + "\",\"uses\":\"noop.run\"}]}";
    }

    static PipelineDefinition parse(String text) {
        return PipelineDefinition.parse(Map.of("pipeline", List.of(Map.of("id", "a", "uses", "noop.run"))), address -> true);
    }

    @Test
    void large_payloads_evict_the_least_recently_used_to_stay_within_the_byte_budget() {
        long budget = 1024 * 1024;
        ParsedPipelines cache = new ParsedPipelines(budget);
        AtomicInteger parses = new AtomicInteger();
        String first = payload(0, 20_000);
        cache.get(first, text -> { parses.incrementAndGet(); return parse(text); });
        for (int i = 1; i < 200; i++) {
            String p = payload(i, 20_000);
            cache.get(p, text -> { parses.incrementAndGet(); return parse(text); });
            // the first payload stays hot, so it survives the evictions
            cache.get(first, text -> { parses.incrementAndGet(); return parse(text); });
            assertThat(cache.bytes()).isLessThanOrEqualTo(budget);
        }
        assertThat(parses.get()).as("the hot payload was parsed once").isEqualTo(200);
        assertThat(cache.size()).isLessThan(20).isGreaterThan(5);
    }

    @Test
    void small_payloads_are_many_and_a_payload_too_big_for_the_budget_is_not_cached() {
        ParsedPipelines cache = new ParsedPipelines(1024 * 1024);
        for (int i = 0; i < 2000; i++) {
            cache.get(payload(i, 10), ParsedPipelinesTest::parse);
        }
        assertThat(cache.size()).isEqualTo(2000);
        String huge = payload(-1, 200_000);
        AtomicInteger parses = new AtomicInteger();
        cache.get(huge, text -> { parses.incrementAndGet(); return parse(text); });
        cache.get(huge, text -> { parses.incrementAndGet(); return parse(text); });
        assertThat(parses.get()).isEqualTo(2);
        assertThat(cache.size()).isEqualTo(2000);
    }
}
