package io.ordinaut.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.ordinaut.support.Api;
import io.ordinaut.support.Api.Response;
import io.ordinaut.support.NodeTestSupport;

/** POST /events on a real node with no Redis: matching, filters, ownership, idempotency, the event in the pipeline. */
class EventPublishingTest extends NodeTestSupport {

    private static final String SYSTEM = "00000000-0000-0000-0000-000000000001";

    private String eventTask(Api as, String topic, Map<String, Object> extra) {
        Map<String, Object> payload = new HashMap<>();
        payload.put("pipeline", List.of(Map.of("id", "echo", "uses", "noop.run", "save_as", "echo", "with",
                Map.of("order", "${event.payload.order_id}", "topic", "${event.topic}", "event_id", "${event.id}",
                        "at", "${event.published_at}"))));
        Map<String, Object> task = new HashMap<>();
        task.put("title", "on " + topic);
        task.put("schedule_kind", "event");
        task.put("schedule_expr", topic);
        task.put("payload", payload);
        task.putAll(extra);
        if (extra.containsKey("event_filter")) {
            payload.put("event_filter", task.remove("event_filter"));
        }
        return as.post("/tasks", task).expect(201).string("id");
    }

    private static Map<String, Object> event(String topic, Map<String, Object> payload) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("topic", topic);
        body.put("payload", payload);
        return body;
    }

    @SuppressWarnings("unchecked")
    private static List<String> triggered(Response r) {
        return (List<String>) r.details().get("triggered_tasks");
    }

    private String agentToken(String name, String... scopes) {
        Map<String, Object> body = Map.of("name", name + "-" + UUID.randomUUID().toString().substring(0, 8), "scopes", List.of(scopes));
        String id = api.post("/agents", body).expect(201).string("id");
        String secret = api.post("/agents/" + id + "/credentials", "{}").expect(200).string("agent_secret");
        return api.as(null).post("/agents/auth/token", Map.of("agent_id", id, "agent_secret", secret)).expect(200)
                .string("access_token");
    }

    @Test
    void publishing_triggers_exactly_the_matching_tasks() {
        String exact = eventTask(api, "shop.orders.created", Map.of());
        String oneSegment = eventTask(api, "shop.orders.*", Map.of());
        String anyDepth = eventTask(api, "shop.#", Map.of());
        String otherTopic = eventTask(api, "shop.orders.canceled", Map.of());
        String tooDeepForStar = eventTask(api, "shop.*", Map.of());
        String filteredIn = eventTask(api, "shop.orders.created", Map.of("event_filter", "payload.amount > `100`"));
        String filteredOut = eventTask(api, "shop.orders.created", Map.of("event_filter", "payload.amount > `1000`"));

        Response r = api.post("/events", event("shop.orders.created", Map.of("order_id", "o-1", "amount", 250))).expect(202);

        assertThat(r.get("success")).isEqualTo(true);
        assertThat(r.details()).containsEntry("topic", "shop.orders.created").containsKeys("event_id", "published_at");
        assertThat(triggered(r)).containsExactlyInAnyOrder(exact, oneSegment, anyDepth, filteredIn)
                .doesNotContain(otherTopic, tooDeepForStar, filteredOut);
    }

    @Test
    @SuppressWarnings("unchecked")
    void the_event_reaches_the_pipeline_and_get_event_lists_its_runs() {
        String task = eventTask(api, "billing.invoice.paid", Map.of());
        Response r = api.post("/events", event("billing.invoice.paid", Map.of("order_id", "o-42"))).expect(202);
        String eventId = r.details().get("event_id").toString();

        Map<String, Object>[] run = new Map[1];
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Response got = api.get("/events/" + eventId).expect(200);
            List<Map<String, Object>> runs = (List<Map<String, Object>>) got.get("runs");
            assertThat(runs).hasSize(1);
            assertThat(runs.get(0)).containsEntry("task_id", task).containsEntry("status", "succeeded");
            run[0] = runs.get(0);
        });
        Response details = api.get("/runs/" + run[0].get("run_id")).expect(200);
        assertThat(details.get("trigger")).isEqualTo("event");
        Map<String, Object> echo = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) details.get("output"))
                .get("steps")).get("echo");
        Map<String, Object> args = (Map<String, Object>) echo.get("input_args");
        assertThat(args).containsEntry("order", "o-42").containsEntry("topic", "billing.invoice.paid")
                .containsEntry("event_id", eventId).containsEntry("at", r.details().get("published_at"));
    }

    @Test
    void a_repeated_event_id_answers_200_with_the_first_result_and_triggers_nothing() {
        String task = eventTask(api, "idem.topic", Map.of());
        Map<String, Object> body = event("idem.topic", Map.of("n", 1));
        body.put("event_id", "idem-" + UUID.randomUUID());

        Response first = api.post("/events", body).expect(202);
        Response again = api.post("/events", body).expect(200);

        assertThat(again.details()).isEqualTo(first.details());
        assertThat(triggered(first)).containsExactly(task);
        Integer runs = jdbc.sql("""
                SELECT (SELECT count(*) FROM due_work WHERE task_id = CAST(:t AS uuid))
                     + (SELECT count(DISTINCT run_id) FROM task_run WHERE task_id = CAST(:t AS uuid))""")
                .param("t", task).query(Integer.class).single();
        assertThat(runs).isEqualTo(1);
    }

    /** An event_id taken first by another agent neither blocks this one's publish nor tells it that the id was used. */
    @Test
    @SuppressWarnings("unchecked")
    void an_event_id_is_scoped_to_its_publisher() {
        Api alice = api.as(agentToken("alice", "tasks:create", "events:publish"));
        Api bob = api.as(agentToken("bob", "tasks:create", "events:publish"));
        String alicesTask = eventTask(alice, "scoped.id", Map.of());
        String bobsTask = eventTask(bob, "scoped.id", Map.of());
        String id = "shared-" + UUID.randomUUID();
        Map<String, Object> body = event("scoped.id", Map.of("n", 1));
        body.put("event_id", id);

        // given bob used the id first
        Response byBob = bob.post("/events", body).expect(202);
        // when alice publishes with the same id, it is an event of her own
        Response byAlice = alice.post("/events", body).expect(202);
        assertThat(triggered(byAlice)).containsExactly(alicesTask);
        assertThat(triggered(byBob)).containsExactly(bobsTask);
        assertThat(byAlice.details()).containsEntry("event_id", id);
        assertThat(alice.post("/events", body).expect(200).details()).as("still idempotent per publisher").isEqualTo(byAlice.details());
        Response byAdmin = api.post("/events", body).expect(202);
        assertThat(triggered(byAdmin)).containsExactlyInAnyOrder(alicesTask, bobsTask);

        // each reads its own event of that id, with only its own runs (the admin's event triggered alice's task too)
        Response alicesRead = alice.get("/events/" + id).expect(200);
        assertThat(alicesRead.get("triggered_tasks")).isEqualTo(List.of(alicesTask));
        assertThat((List<Map<String, Object>>) alicesRead.get("runs")).extracting(r -> r.get("task_id")).containsExactly(alicesTask);
        assertThat(bob.get("/events/" + id).expect(200).get("triggered_tasks")).isEqualTo(List.of(bobsTask));
        String bobId = bob.get("/events/" + id).string("published_by");
        String aliceId = alicesRead.string("published_by");
        alice.get("/events/" + id + "?published_by=" + bobId).expect(404);
        assertThat(api.get("/events/" + id).expect(200).get("published_by")).as("an admin's own first").isEqualTo(SYSTEM);
        assertThat(api.get("/events/" + id + "?published_by=" + aliceId).expect(200).get("triggered_tasks")).isEqualTo(List.of(alicesTask));
        assertThat(api.get("/events/" + id + "?published_by=" + bobId).expect(200).get("triggered_tasks")).isEqualTo(List.of(bobsTask));

        // three events, three outbox entries of their own
        assertThat(jdbc.sql("SELECT count(DISTINCT (row_id, entry_no)) FROM outbox_entry WHERE type = 'event' AND body ->> 'event_id' = :id")
                .param("id", id).query(Integer.class).single()).isEqualTo(3);
    }

    @Test
    void a_non_admin_publisher_triggers_only_its_own_tasks_and_reads_only_its_own_events() {
        Api alice = api.as(agentToken("alice", "tasks:create", "tasks:read", "events:publish"));
        Api bob = api.as(agentToken("bob", "tasks:create", "tasks:read", "events:publish"));
        String alicesTask = eventTask(alice, "team.build.done", Map.of());
        String bobsTask = eventTask(bob, "team.build.done", Map.of());
        String adminsTask = eventTask(api, "team.build.done", Map.of());

        Response byAlice = alice.post("/events", event("team.build.done", Map.of())).expect(202);
        assertThat(triggered(byAlice)).containsExactly(alicesTask);
        Response byAdmin = api.post("/events", event("team.build.done", Map.of())).expect(202);
        assertThat(triggered(byAdmin)).containsExactlyInAnyOrder(alicesTask, bobsTask, adminsTask);

        String aliceEvent = byAlice.details().get("event_id").toString();
        bob.get("/events/" + aliceEvent).expect(404);
        alice.get("/events/" + aliceEvent).expect(200);
        assertThat(bob.get("/events?topic=team.build.done").expect(200).items()).isEmpty();
        assertThat(alice.get("/events?topic=team.build.done").expect(200).items()).extracting(e -> e.get("event_id"))
                .containsExactly(aliceEvent);
        assertThat(bob.get("/topics").expect(200).items()).extracting(t -> t.get("topic")).containsExactly("team.build.done");
    }

    @Test
    void a_dedupe_key_template_over_the_event_skips_a_redelivered_event_within_the_window() {
        // overlap_policy queue: with the default (skip), order B could be skipped for overlapping order A's run
        // on a slow machine, which is not what this test is about.
        String task = eventTask(api, "dedupe.order", Map.of("dedupe_key", "order-${event.payload.order_id}",
                "dedupe_window_seconds", 3600, "overlap_policy", "queue"));
        api.post("/events", event("dedupe.order", Map.of("order_id", "A"))).expect(202);
        api.post("/events", event("dedupe.order", Map.of("order_id", "A"))).expect(202);
        api.post("/events", event("dedupe.order", Map.of("order_id", "B"))).expect(202);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<String> statuses = jdbc.sql("SELECT status FROM task_run WHERE task_id = CAST(:t AS uuid) ORDER BY status")
                    .param("t", task).query(String.class).list();
            assertThat(statuses).containsExactly("skipped", "succeeded", "succeeded");
        });
        assertThat(jdbc.sql("SELECT error FROM task_run WHERE task_id = CAST(:t AS uuid) AND status = 'skipped'")
                .param("t", task).query(String.class).single())
                .startsWith("skipped (dedupe): dedupe_key order-A was already seen");
        assertThat(jdbc.sql("""
                SELECT count(*) FROM dedupe_ledger l JOIN task t
                    ON l.key IN ('agent:' || t.created_by || ':order-A', 'agent:' || t.created_by || ':order-B')
                 WHERE t.id = CAST(:t AS uuid)""").param("t", task).query(Integer.class).single())
                .isEqualTo(2);
    }

    @Test
    void get_topics_lists_subscriptions_with_their_active_tasks() {
        String t1 = eventTask(api, "inventory.#", Map.of());
        String t2 = eventTask(api, "inventory.#", Map.of());
        Map<String, Object> topic = api.get("/topics").expect(200).items().stream()
                .filter(t -> "inventory.#".equals(t.get("topic"))).findFirst().orElseThrow();
        assertThat(topic).containsEntry("pattern", true).containsEntry("active_tasks", 2)
                .containsEntry("task_ids", List.of(t1, t2));
    }

    @Test
    void get_topics_pages_like_the_other_lists() {
        eventTask(api, "paging.one", Map.of());
        eventTask(api, "paging.two", Map.of());
        Response all = api.get("/topics").expect(200);
        assertThat(all.map()).containsEntry("limit", 100).containsEntry("offset", 0)
                .containsEntry("total", all.items().size()).containsEntry("has_more", false);
        assertThat(all.items()).extracting(t -> t.get("topic")).contains("paging.one", "paging.two");

        // limit is the page size asked for, total counts every subscription
        Response first = api.get("/topics?limit=1").expect(200);
        assertThat(first.items()).containsExactly(all.items().get(0));
        assertThat(first.map()).containsEntry("limit", 1).containsEntry("total", all.items().size()).containsEntry("has_more", true);
        Response second = api.get("/topics?limit=1&offset=1").expect(200);
        assertThat(second.items()).containsExactly(all.items().get(1));
        assertThat(second.map()).containsEntry("offset", 1);
        assertThat(api.get("/topics?offset=" + all.items().size()).expect(200).items()).isEmpty();

        for (String query : List.of("limit=0", "limit=1001", "limit=ten", "offset=-1")) {
            Response bad = api.get("/topics?" + query).expect(400);
            assertThat(bad.get("error")).as(query).isEqualTo("ValidationError");
            assertThat(bad.details()).as(query).containsEntry("field", query.substring(0, query.indexOf('=')));
        }
    }

    @Test
    void get_events_pages_like_the_other_lists() {
        String topic = "paging.events.e" + UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 3; i++) {
            api.post("/events", event(topic, Map.of("n", i))).expect(202);
        }
        Api alice = api.as(agentToken("pager", "events:publish"));
        alice.post("/events", event(topic, Map.of("n", "alice"))).expect(202);

        Response all = api.get("/events?topic=" + topic).expect(200);
        assertThat(all.items()).hasSize(4);
        assertThat(all.map()).containsEntry("total", 4).containsEntry("limit", 100).containsEntry("offset", 0)
                .containsEntry("has_more", false);

        // total counts every matching event, not the page; offset moves through them, newest first
        Response first = api.get("/events?topic=" + topic + "&limit=2").expect(200);
        assertThat(first.items()).containsExactlyElementsOf(all.items().subList(0, 2));
        assertThat(first.map()).containsEntry("total", 4).containsEntry("limit", 2).containsEntry("has_more", true);
        Response second = api.get("/events?topic=" + topic + "&limit=2&offset=2").expect(200);
        assertThat(second.items()).containsExactlyElementsOf(all.items().subList(2, 4));
        assertThat(second.map()).containsEntry("offset", 2).containsEntry("has_more", false);
        assertThat(api.get("/events?topic=" + topic + "&offset=1&limit=1").expect(200).items())
                .containsExactly(all.items().get(1));
        assertThat(api.get("/events?topic=" + topic + "&offset=4").expect(200).items()).isEmpty();

        // a publisher's total counts only the events it may read
        Response own = alice.get("/events?topic=" + topic + "&limit=1").expect(200);
        assertThat(own.items()).hasSize(1);
        assertThat(own.map()).containsEntry("total", 1).containsEntry("has_more", false);

        for (String query : List.of("limit=0", "limit=1001", "limit=ten", "offset=-1", "offset=abc")) {
            Response bad = api.get("/events?" + query).expect(400);
            assertThat(bad.get("error")).as(query).isEqualTo("ValidationError");
            assertThat(bad.details()).as(query).containsEntry("field", query.substring(0, query.indexOf('=')));
        }
    }

    @Test
    void invalid_patterns_and_filters_are_refused_at_task_creation() {
        for (String pattern : List.of("orders.*x", "orders..created", ".orders", "orders.", "or#ders", "has space")) {
            Map<String, Object> task = Map.of("title", "bad", "schedule_kind", "event", "schedule_expr", pattern,
                    "payload", Map.of("pipeline", List.of()));
            assertThat(api.post("/tasks", task).expect(400).details()).as(pattern).containsEntry("field", "schedule_expr");
        }
        Map<String, Object> badFilter = Map.of("title", "bad", "schedule_kind", "event", "schedule_expr", "a.b",
                "payload", Map.of("pipeline", List.of(), "event_filter", "payload.[[["));
        assertThat(api.post("/tasks", badFilter).expect(400).details()).containsEntry("field", "payload.event_filter");
    }

    @Test
    void event_references_are_checked_at_task_creation() {
        // a task that no event triggers cannot read one
        Map<String, Object> cron = Map.of("title", "no event here", "schedule_kind", "cron", "schedule_expr", "0 9 * * *",
                "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run",
                        "with", Map.of("order", "${event.payload.order_id}")))));
        assertThat(api.post("/tasks", cron).expect(400).details()).containsEntry("field", "payload.pipeline[0].with.order");
        // an event task's dedupe_key template must compile and read the event
        for (String key : List.of("order-${params.order_id}", "order-${event.payload.[[[}")) {
            Map<String, Object> task = new HashMap<>(Map.of("title", "bad key", "schedule_kind", "event", "schedule_expr", "orders.created",
                    "dedupe_key", key, "dedupe_window_seconds", 60, "payload", Map.of("pipeline", List.of())));
            assertThat(api.post("/tasks", task).expect(400).details()).as(key).containsEntry("field", "dedupe_key");
        }
        // params.event is a field of params, not the event
        Map<String, Object> fine = Map.of("title", "param named event", "schedule_kind", "cron", "schedule_expr", "0 9 * * *",
                "payload", Map.of("params", Map.of("event", "launch"), "pipeline", List.of(Map.of("id", "s", "uses", "noop.run",
                        "with", Map.of("what", "${params.event}")))));
        api.post("/tasks", fine).expect(201);
    }

    @Test
    void a_field_no_event_has_is_refused_at_task_creation_while_anything_under_payload_is_free() {
        Map<String, Object> typo = Map.of("title", "typo", "schedule_kind", "event", "schedule_expr", "orders.created",
                "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run", "with", Map.of("t", "${event.nope}")))));
        Response refused = api.post("/tasks", typo).expect(400);
        assertThat(refused.details()).containsEntry("field", "payload.pipeline[0].with.t");
        assertThat(refused.string("message")).contains("${event.nope} reads event.nope, which no event has",
                "id, topic, payload, published_at");
        Map<String, Object> keyTypo = new HashMap<>(Map.of("title", "key typo", "schedule_kind", "event", "schedule_expr", "orders.created",
                "dedupe_key", "k-${event.order_id}", "dedupe_window_seconds", 60, "payload", Map.of("pipeline", List.of())));
        assertThat(api.post("/tasks", keyTypo).expect(400).details()).containsEntry("field", "dedupe_key");

        Map<String, Object> fine = Map.of("title", "fields", "schedule_kind", "event", "schedule_expr", "orders.created",
                "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run", "with", Map.of(
                        "a", "${event.payload.anything.at_all}", "b", "${event.id} ${event.topic} ${event.published_at}", "c", "${event}")))));
        api.post("/tasks", fine).expect(201);
        keyTypo.put("dedupe_key", "k-${event.payload.order_id}");
        api.post("/tasks", keyTypo).expect(201);
    }

    @Test
    void a_non_event_task_may_neither_template_its_dedupe_key_over_the_event_nor_carry_an_event_filter() {
        Map<String, Object> keyed = new HashMap<>(Map.of("title", "cron keyed by event", "schedule_kind", "cron",
                "schedule_expr", "0 9 * * *", "dedupe_key", "${event.topic}", "payload", Map.of("pipeline", List.of())));
        Response created = api.post("/tasks", keyed).expect(400);
        assertThat(created.details()).containsEntry("field", "dedupe_key");
        assertThat(created.string("message")).isEqualTo(
                "dedupe_key: ${event.topic} reads the triggering event, which only tasks with schedule_kind event have");
        Map<String, Object> filtered = new HashMap<>(Map.of("title", "cron with a filter", "schedule_kind", "cron",
                "schedule_expr", "0 9 * * *", "payload", Map.of("pipeline", List.of(), "event_filter", "payload.x")));
        Response refused = api.post("/tasks", filtered).expect(400);
        assertThat(refused.details()).containsEntry("field", "payload.event_filter");
        assertThat(refused.string("message")).contains("schedule_kind event", "cron");

        // PUT: neither may be given to a cron task, nor kept when an event task becomes one
        String cron = api.post("/tasks", Map.of("title", "plain cron", "schedule_kind", "cron", "schedule_expr", "0 9 * * *",
                "payload", Map.of("pipeline", List.of()))).expect(201).string("id");
        assertThat(api.put("/tasks/" + cron, Map.of("dedupe_key", "k-${event.payload.id}")).expect(400).details())
                .containsEntry("field", "dedupe_key");
        String filteredEvent = api.post("/tasks", Map.of("title", "filtered", "schedule_kind", "event", "schedule_expr", "a.b",
                "payload", Map.of("pipeline", List.of(), "event_filter", "payload.x"))).expect(201).string("id");
        assertThat(api.put("/tasks/" + filteredEvent, Map.of("schedule_kind", "cron", "schedule_expr", "0 9 * * *"))
                .expect(400).details()).containsEntry("field", "payload.event_filter");

        // batch items are refused the same way
        Response batch = api.post("/tasks/batch", Map.of("tasks", List.of(keyed, filtered))).expect(200);
        assertThat(batch.get("created")).isEqualTo(0);
        assertThat(batch.body()).contains("dedupe_key", "payload.event_filter");
        // a literal dedupe_key on a cron task is fine
        keyed.put("dedupe_key", "daily-report");
        api.post("/tasks", keyed).expect(201);
    }

    @Test
    void event_ids_dot_and_dot_dot_are_refused_since_no_event_could_be_read_at_them() {
        Integer before = jdbc.sql("SELECT count(*) FROM event").query(Integer.class).single();
        for (String id : List.of(".", "..")) {
            Map<String, Object> body = new LinkedHashMap<>(event("x.y", Map.of()));
            body.put("event_id", id);

            Response r = api.post("/events", body).expect(400);

            assertThat(r.details()).as(id).containsEntry("field", "event_id");
            assertThat((String) r.get("message")).as(id).contains("'" + id + "'", "GET /events/");
        }
        // dots inside an id are fine
        Map<String, Object> dotted = new LinkedHashMap<>(event("x.y", Map.of()));
        dotted.put("event_id", "...x");
        api.post("/events", dotted).expect(202);
        assertThat(api.get("/events/...x").expect(200).string("topic")).isEqualTo("x.y");
        assertThat(jdbc.sql("SELECT count(*) FROM event").query(Integer.class).single()).isEqualTo(before + 1);
    }

    @Test
    void a_non_admin_may_name_only_itself_as_source_and_learns_nothing_of_other_ids() {
        Api.AgentApi alice = api.newAgent("tasks:create", "tasks:read", "events:publish");
        Api.AgentApi bob = api.newAgent("events:publish");
        String aliceTask = eventTask(alice.api(), "sourced.topic", Map.of("event_filter", "source_agent_id == '" + alice.id() + "'"));
        Integer before = jdbc.sql("SELECT count(*) FROM event").query(Integer.class).single();

        // naming another agent, the admin or no agent at all is refused alike, before any look-up
        List<String> messages = new java.util.ArrayList<>();
        for (String other : List.of(bob.id(), SYSTEM, UUID.randomUUID().toString())) {
            Map<String, Object> spoofed = new LinkedHashMap<>(event("sourced.topic", Map.of()));
            spoofed.put("source_agent_id", other);
            Response refused = alice.api().post("/events", spoofed);
            assertThat(refused.status()).as(other).isEqualTo(400);
            assertThat(refused.get("error")).isEqualTo("ValidationError");
            assertThat(refused.details()).containsEntry("field", "source_agent_id");
            messages.add(refused.string("message"));
        }
        assertThat(messages).containsOnly(messages.get(0));
        assertThat(messages.get(0)).contains("only an admin may name another agent").doesNotContain("does not exist");
        // an event_id published before does not let a spoofed source through either
        Map<String, Object> first = new LinkedHashMap<>(event("sourced.topic", Map.of()));
        first.put("event_id", "sourced-1");
        alice.api().post("/events", first).expect(202);
        first.put("source_agent_id", SYSTEM);
        assertThat(alice.api().post("/events", first).expect(400).details()).containsEntry("field", "source_agent_id");
        assertThat(jdbc.sql("SELECT count(*) FROM event").query(Integer.class).single()).isEqualTo(before + 1);

        // itself, or none
        Map<String, Object> own = new LinkedHashMap<>(event("sourced.topic", Map.of()));
        own.put("source_agent_id", alice.id());
        Response sourced = alice.api().post("/events", own).expect(202);
        assertThat(triggered(sourced)).containsExactly(aliceTask);
        assertThat(alice.api().get("/events/" + sourced.details().get("event_id")).expect(200).get("source_agent_id"))
                .isEqualTo(alice.id());
        Response unsourced = alice.api().post("/events", event("sourced.topic", Map.of())).expect(202);
        assertThat(alice.api().get("/events/" + unsourced.details().get("event_id")).expect(200).get("source_agent_id")).isNull();

        // an admin may name any agent that exists
        Map<String, Object> onBehalf = new LinkedHashMap<>(event("sourced.topic", Map.of()));
        onBehalf.put("source_agent_id", bob.id());
        Response admins = api.post("/events", onBehalf).expect(202);
        assertThat(api.get("/events/" + admins.details().get("event_id")).expect(200).get("source_agent_id")).isEqualTo(bob.id());
        onBehalf.put("source_agent_id", UUID.randomUUID().toString());
        assertThat(api.post("/events", onBehalf).expect(400).string("message")).contains("does not exist");
    }

    @Test
    void bad_events_answer_400_or_413_and_store_nothing() {
        Integer before = jdbc.sql("SELECT count(*) FROM event").query(Integer.class).single();
        List<Object> bad = List.of(
                Map.of("payload", Map.of()),
                event("has space", Map.of()),
                event("t".repeat(201), Map.of()),
                event("wild.*", Map.of()),
                Map.of("topic", "ok.topic", "payload", List.of(1, 2)),
                Map.of("topic", "ok.topic", "payload", "text"),
                Map.of("topic", "ok.topic"),
                Map.of("topic", "ok.topic", "payload", Map.of(), "event_id", "has space"),
                Map.of("topic", "ok.topic", "payload", Map.of(), "source_agent_id", UUID.randomUUID().toString()),
                Map.of("topic", "ok.topic", "payload", Map.of(), "unknown", 1));
        for (Object body : bad) {
            Response r = api.post("/events", body);
            assertThat(r.status()).as(body.toString().substring(0, Math.min(80, body.toString().length()))).isEqualTo(400);
            assertThat(r.get("error")).isEqualTo("ValidationError");
        }
        Response tooLarge = api.post("/events", event("ok.topic", Map.of("blob", "x".repeat(70_000)))).expect(413);
        assertThat(tooLarge.get("error")).isEqualTo("PayloadTooLarge");
        assertThat(jdbc.sql("SELECT count(*) FROM event").query(Integer.class).single()).isEqualTo(before);
    }
}
