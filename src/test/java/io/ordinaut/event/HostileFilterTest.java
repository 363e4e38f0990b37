package io.ordinaut.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.ordinaut.support.Api;
import io.ordinaut.support.Api.Response;
import io.ordinaut.support.NodeTestSupport;

/**
 * Event filters run inside the publisher's request, and an admin's event evaluates every agent's filter:
 * a filter that grows a value without bound fails on its own (its task is not triggered) while the
 * publisher's request and the other agents' tasks are unharmed.
 */
class HostileFilterTest extends NodeTestSupport {

    @Test
    void a_filter_that_grows_values_without_bound_does_not_match_and_the_event_reaches_everyone_else() {
        // given one agent's tasks whose filters double a string, or write out a value that doubles per level
        Api attacker = api.newAgent("tasks:create", "tasks:read").api();
        Api bystander = api.newAgent("tasks:create", "tasks:read").api();
        String joined = eventTask(attacker, "'AAAAAAAAAA'" + " | join('', [@, @])".repeat(26));
        String written = eventTask(attacker, "length(to_string(@" + " | [@, @]".repeat(30) + ")) > `0`");
        String flattened = eventTask(attacker, "length(@ | [@, @]" + " | [@, @][]".repeat(30) + ") > `0`");
        String keyed = eventTask(attacker, null, "k-${event" + " | [@, @]".repeat(20) + "}");
        String benign = eventTask(bystander, "payload.amount > `100`");

        // when an admin publishes an event all of them subscribe to
        Response r = api.post("/events", Map.of("topic", "shop.orders.created", "payload", Map.of("amount", 250))).expect(202);

        // then only the bystander's task is triggered
        @SuppressWarnings("unchecked")
        List<String> triggered = (List<String>) r.details().get("triggered_tasks");
        assertThat(triggered).containsExactly(benign).doesNotContain(joined, written, flattened, keyed);
    }

    private static String eventTask(Api as, String filter) {
        return eventTask(as, filter, null);
    }

    private static String eventTask(Api as, String filter, String dedupeKey) {
        Map<String, Object> payload = new HashMap<>();
        payload.put("pipeline", List.of(Map.of("id", "echo", "uses", "noop.run", "with", Map.of("amount", "${event.payload.amount}"))));
        if (filter != null) {
            payload.put("event_filter", filter);
        }
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("title", "on orders");
        task.put("schedule_kind", "event");
        task.put("schedule_expr", "shop.orders.created");
        task.put("payload", payload);
        if (dedupeKey != null) {
            task.put("dedupe_key", dedupeKey);
        }
        return as.post("/tasks", task).expect(201).string("id");
    }
}
