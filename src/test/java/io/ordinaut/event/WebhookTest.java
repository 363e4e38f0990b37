package io.ordinaut.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

import com.sun.net.httpserver.HttpServer;

import io.ordinaut.support.Api;
import io.ordinaut.support.NodeTestSupport;

/** Webhooks of run outcomes to a real HTTP receiver: signed, retried, and under the tools' egress policy. */
// 127.0.0.1 is opened on purpose for the receiver; every other loopback address stays refused.
@TestPropertySource(properties = {"ordinaut.tools.allow-loopback=false", "ordinaut.tools.allowed-cidrs=127.0.0.1/32"})
class WebhookTest extends NodeTestSupport {

    record Received(String path, String signature, String delivery, String body) {
    }

    @Autowired
    private TransactionTemplate tx;

    private HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();

    @BeforeEach
    void receiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(new Received(exchange.getRequestURI().getPath(), exchange.getRequestHeaders().getFirst("Ordinaut-Signature"),
                    exchange.getRequestHeaders().getFirst("Ordinaut-Delivery"), body));
            String path = exchange.getRequestURI().getPath();
            int status = path.startsWith("/down") || path.startsWith("/flaky") && failuresLeft.getAndDecrement() > 0 ? 500 : 204;
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopReceiver() {
        server.stop(0);
    }

    private String url(String host, String path) {
        return "http://" + host + ":" + server.getAddress().getPort() + path;
    }

    /** An agent with a webhook, its secret, and a task of its own that has run once. */
    private String[] agentWithRun(String webhookUrl, String events) {
        String agent = api.post("/agents", Map.of("name", "hooked-" + UUID.randomUUID().toString().substring(0, 8),
                "scopes", List.of("tasks:create"), "webhook_url", webhookUrl)).expect(201).string("id");
        String secret = api.post("/agents/" + agent + "/webhook_secret", Map.of("events", events)).expect(200).string("webhook_secret");
        String task = api.post("/tasks", Map.of("title", "hooked", "schedule_kind", "cron", "schedule_expr", "0 3 1 1 *",
                "created_by", agent, "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run")))))
                .expect(201).string("id");
        String run = api.post("/tasks/" + task + "/run_now", "{}").expect(200).details().get("run_id").toString();
        return new String[] {agent, secret, task, run};
    }

    @Test
    void a_run_outcome_is_posted_with_a_signature_that_verifies() {
        String[] a = agentWithRun(url("127.0.0.1", "/hook"), "all");
        await().atMost(Duration.ofSeconds(30)).until(() -> received.stream().anyMatch(r -> r.path().equals("/hook")));
        Received r = received.stream().filter(x -> x.path().equals("/hook")).findFirst().orElseThrow();

        assertThat(r.body()).contains("\"type\":\"run.succeeded\"", "\"run_id\":\"" + a[3] + "\"", "\"outbox_id\"");
        // verify as a receiver would: HMAC-SHA256 over "t.body" with the secret
        String t = r.signature().split(",")[0].substring(2);
        String v1 = r.signature().split(",")[1].substring(3);
        assertThat(WebhookSignature.hmac(a[1], t + "." + r.body())).isEqualTo(v1);
        assertThat(WebhookSignature.hmac("whsec_wrong", t + "." + r.body())).isNotEqualTo(v1);
        assertThat(Math.abs(Long.parseLong(t) - System.currentTimeMillis() / 1000)).isLessThan(300);
    }

    @Test
    void an_agent_created_with_a_webhook_url_gets_its_secret_once_and_deliveries_verify_with_it() {
        Map<String, Object> created = api.post("/agents", Map.of("name", "born-hooked-" + UUID.randomUUID().toString().substring(0, 8),
                "scopes", List.of("tasks:create"), "webhook_url", url("127.0.0.1", "/born"))).expect(201).map();
        String agent = created.get("id").toString();
        String secret = (String) created.get("webhook_secret");
        assertThat(secret).startsWith("whsec_");
        assertThat(api.get("/agents/" + agent).expect(200).map()).doesNotContainKey("webhook_secret");

        String task = api.post("/tasks", Map.of("title", "born", "schedule_kind", "cron", "schedule_expr", "0 3 1 1 *",
                "created_by", agent, "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run")))))
                .expect(201).string("id");
        api.post("/tasks/" + task + "/run_now", "{}").expect(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> received.stream().anyMatch(r -> r.path().equals("/born")));
        Received r = received.stream().filter(x -> x.path().equals("/born")).findFirst().orElseThrow();
        String t = r.signature().split(",")[0].substring(2);
        String v1 = r.signature().split(",")[1].substring(3);
        assertThat(WebhookSignature.hmac(secret, t + "." + r.body())).isEqualTo(v1);
    }

    @Test
    void a_failing_receiver_is_retried_until_it_answers() {
        failuresLeft.set(2);
        String[] a = agentWithRun(url("127.0.0.1", "/flaky"), "all");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(jdbc.sql(
                "SELECT status || ':' || attempts FROM webhook_delivery WHERE agent_id = CAST(:a AS uuid)")
                .param("a", a[0]).query(String.class).list()).containsExactly("delivered:3"));
        List<Received> flaky = received.stream().filter(r -> r.path().equals("/flaky")).toList();
        assertThat(flaky).hasSize(3);
        assertThat(flaky).extracting(Received::delivery).containsOnly(flaky.get(0).delivery());
    }

    /** Waits until the agent's one delivery has failed at least once and waits for its next attempt. */
    private void awaitRetrying(String agent) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(jdbc.sql(
                "SELECT status FROM webhook_delivery WHERE agent_id = CAST(:a AS uuid) AND attempts >= 1")
                .param("a", agent).query(String.class).list()).containsExactly("pending"));
    }

    private List<Received> receivedAt(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    @Test
    void a_pending_retry_goes_to_the_agents_current_webhook_url_signed_with_its_current_secret() {
        // given a delivery retrying against a receiver that fails
        String[] a = agentWithRun(url("127.0.0.1", "/down-moved"), "all");
        awaitRetrying(a[0]);
        String delivery = receivedAt("/down-moved").get(0).delivery();

        // when the agent's secret is rotated and its webhook moves (in this order: the move makes the retry due
        // at once, so a rotation after it could come after the delivery)
        String rotated = api.post("/agents/" + a[0] + "/webhook_secret", "{}").expect(200).string("webhook_secret");
        api.put("/agents/" + a[0], Map.of("webhook_url", url("127.0.0.1", "/moved"))).expect(200);

        // then the retry goes to the new URL, is the same delivery, and verifies with the new secret only
        await().atMost(Duration.ofSeconds(30)).until(() -> !receivedAt("/moved").isEmpty());
        Received r = receivedAt("/moved").get(0);
        assertThat(r.delivery()).isEqualTo(delivery);
        String t = r.signature().split(",")[0].substring(2);
        String v1 = r.signature().split(",")[1].substring(3);
        assertThat(WebhookSignature.hmac(rotated, t + "." + r.body())).isEqualTo(v1);
        assertThat(WebhookSignature.hmac(a[1], t + "." + r.body())).isNotEqualTo(v1);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                api.get("/agents/" + a[0] + "/webhook_deliveries").expect(200).items()).singleElement()
                .satisfies(d -> assertThat(d).containsEntry("status", "delivered").containsEntry("url", url("127.0.0.1", "/moved"))));
    }

    @Test
    void removing_the_webhook_url_cancels_the_pending_deliveries_and_sends_no_more() throws Exception {
        // given a delivery retrying against a receiver that fails
        String[] a = agentWithRun(url("127.0.0.1", "/down-removed"), "all");
        awaitRetrying(a[0]);

        // when the agent's webhook_url is removed
        api.put("/agents/" + a[0], "{\"webhook_url\": null}").expect(200);

        // then the delivery is recorded canceled, with the reason (at once, unless an attempt held it just then:
        // that attempt's next one cancels it), and nothing more is sent
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Map<String, Object> d = api.get("/agents/" + a[0] + "/webhook_deliveries").expect(200).items().get(0);
            assertThat(d).containsEntry("status", "canceled").containsEntry("next_attempt_at", null);
            assertThat(d.get("last_error").toString()).contains("webhook_url was removed");
        });
        int sent = receivedAt("/down-removed").size();
        Thread.sleep(2500); // longer than the next backoff steps (1 s, 2 s)
        assertThat(receivedAt("/down-removed")).hasSize(sent);
    }

    @Test
    void a_delivery_whose_agent_lost_its_webhook_unnoticed_is_canceled_at_its_next_attempt() {
        // given a delivery retrying against a receiver that fails
        String[] a = agentWithRun(url("127.0.0.1", "/down-unnoticed"), "all");
        awaitRetrying(a[0]);

        // when the webhook_url goes without the agent trigger seeing it, as when an attempt held the delivery
        tx.executeWithoutResult(s -> {
            jdbc.sql("SET LOCAL session_replication_role = replica").update();
            jdbc.sql("UPDATE agent SET webhook_url = NULL WHERE id = CAST(:a AS uuid)").param("a", a[0]).update();
        });

        // then the next attempt sends nothing and records it canceled
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(jdbc.sql(
                "SELECT status || ':' || last_error FROM webhook_delivery WHERE agent_id = CAST(:a AS uuid)")
                .param("a", a[0]).query(String.class).list()).singleElement().asString()
                .isEqualTo("canceled:canceled: the agent's webhook_url was removed"));
    }

    @Test
    void failures_only_agents_get_no_successes() throws Exception {
        String[] a = agentWithRun(url("127.0.0.1", "/failures-only"), "failures");
        await().atMost(Duration.ofSeconds(30)).until(() -> "succeeded".equals(api.get("/runs/" + a[3]).expect(200).get("status")));
        Thread.sleep(2000);
        assertThat(received).noneMatch(r -> r.path().equals("/failures-only"));
    }

    @Test
    void a_webhook_url_the_egress_guard_refuses_is_refused_when_it_is_set_and_nothing_is_stored() {
        Api.Response created = api.post("/agents", Map.of("name", "loop-" + UUID.randomUUID().toString().substring(0, 8),
                "webhook_url", url("[::1]", "/loopback")));
        assertThat(created.status()).as(created.body()).isEqualTo(400);
        assertThat(created.details()).containsEntry("field", "webhook_url");
        assertThat(created.string("message")).contains("egress policy").contains("loopback");
        String agent = api.post("/agents", Map.of("name", "loop-" + UUID.randomUUID().toString().substring(0, 8),
                "webhook_url", url("127.0.0.1", "/allowed"))).expect(201).string("id");
        Api.Response changed = api.put("/agents/" + agent, Map.of("webhook_url", "http://169.254.169.254/latest"));
        assertThat(changed.status()).as(changed.body()).isEqualTo(400);
        Api.Response zoned = api.put("/agents/" + agent, Map.of("webhook_url", "http://[fe80::fc:ff:fe00:1%25eth0]:8212/hook"));
        assertThat(zoned.status()).as(zoned.body()).isEqualTo(400);
        assertThat(zoned.details()).containsEntry("field", "webhook_url");
        assertThat(zoned.string("message")).contains("egress policy", "zone id");
        assertThat(api.get("/agents/" + agent).expect(200).get("webhook_url")).isEqualTo(url("127.0.0.1", "/allowed"));
    }

    @Test
    void a_webhook_url_scheme_is_taken_in_any_case_and_stored_in_lower_case() {
        // schemes are case-insensitive (RFC 3986 §3.1)
        String agent = api.post("/agents", Map.of("name", "case-" + UUID.randomUUID().toString().substring(0, 8),
                "webhook_url", url("127.0.0.1", "/upper").replace("http://", "HTTP://"))).expect(201).string("id");
        assertThat(api.get("/agents/" + agent).expect(200).get("webhook_url")).isEqualTo(url("127.0.0.1", "/upper"));
        api.put("/agents/" + agent, Map.of("webhook_url", url("127.0.0.1", "/mixed").replace("http://", "hTtP://"))).expect(200);
        assertThat(api.get("/agents/" + agent).expect(200).get("webhook_url")).isEqualTo(url("127.0.0.1", "/mixed"));
    }

    @Test
    void a_webhook_url_whose_host_is_a_short_form_ipv4_address_is_refused_saying_so() {
        String agent = api.post("/agents", Map.of("name", "short-" + UUID.randomUUID().toString().substring(0, 8))).expect(201).string("id");
        for (String url : List.of("http://127.1:9/", "http://0x7f.0.0.1/")) {
            Api.Response refused = api.put("/agents/" + agent, Map.of("webhook_url", url));
            assertThat(refused.status()).as(refused.body()).isEqualTo(400);
            assertThat(refused.details()).containsEntry("field", "webhook_url");
            assertThat(refused.string("message")).as(url).startsWith("webhook_url must be an http(s) URL with a host: its host '")
                    .contains("is an IPv4 address in a short or hexadecimal form", "write it as four decimal numbers");
        }
        assertThat(api.post("/agents", Map.of("name", "short-" + UUID.randomUUID().toString().substring(0, 8),
                "webhook_url", "http://127.1:9/")).expect(400).string("message")).contains("'127.1' is an IPv4 address in a short");
        assertThat(api.put("/agents/" + agent, Map.of("webhook_url", "ftp://127.0.0.1/")).expect(400).string("message"))
                .isEqualTo("webhook_url must be an http(s) URL");
    }

    @Test
    void a_webhook_url_with_credentials_is_refused_since_agent_views_would_show_them() {
        String withCredentials = url("127.0.0.1", "/hook").replace("http://", "http://user:s3cret@");
        Api.Response created = api.post("/agents", Map.of("name", "cred-" + UUID.randomUUID().toString().substring(0, 8),
                "webhook_url", withCredentials));
        assertThat(created.status()).as(created.body()).isEqualTo(400);
        assertThat(created.details()).containsEntry("field", "webhook_url");
        assertThat(created.string("message")).contains("must not carry credentials").doesNotContain("s3cret");
        String agent = api.post("/agents", Map.of("name", "cred-" + UUID.randomUUID().toString().substring(0, 8),
                "webhook_url", url("127.0.0.1", "/hook"))).expect(201).string("id");
        assertThat(api.put("/agents/" + agent, Map.of("webhook_url", withCredentials)).expect(400).details())
                .containsEntry("field", "webhook_url");
        assertThat(api.get("/agents/" + agent).expect(200).get("webhook_url")).isEqualTo(url("127.0.0.1", "/hook"));
    }

    @Test
    void the_egress_guard_refuses_a_loopback_webhook_url_at_delivery_too() {
        // stored before the policy refused it (the setting changed, or the host's address did): each attempt checks again
        String agent = api.post("/agents", Map.of("name", "hooked-" + UUID.randomUUID().toString().substring(0, 8),
                "scopes", List.of("tasks:create"), "webhook_url", url("127.0.0.1", "/not-yet"))).expect(201).string("id");
        api.post("/agents/" + agent + "/webhook_secret", Map.of("events", "all")).expect(200);
        jdbc.sql("UPDATE agent SET webhook_url = :u WHERE id = CAST(:a AS uuid)").param("u", url("[::1]", "/loopback")).param("a", agent).update();
        String task = api.post("/tasks", Map.of("title", "hooked", "schedule_kind", "cron", "schedule_expr", "0 3 1 1 *",
                "created_by", agent, "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run")))))
                .expect(201).string("id");
        String[] a = {agent, null, task, api.post("/tasks/" + task + "/run_now", "{}").expect(200).details().get("run_id").toString()};
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(jdbc.sql(
                "SELECT status || ':' || last_error FROM webhook_delivery WHERE agent_id = CAST(:a AS uuid)")
                .param("a", a[0]).query(String.class).list()).singleElement().asString().startsWith("failed:egress to host '[::1]' refused: "));
        assertThat(received).noneMatch(r -> r.path().equals("/loopback"));
        Map<String, Object> delivery = api.get("/agents/" + a[0] + "/webhook_deliveries").expect(200).items().get(0);
        assertThat(delivery).containsEntry("status", "failed").containsEntry("type", "run.succeeded")
                .containsEntry("run_id", a[3]).containsEntry("attempts", 1);
        assertThat(delivery.get("last_error").toString()).contains("loopback");
    }

    @Test
    void a_host_that_does_not_resolve_is_retried_and_said_in_the_words_of_a_tool_call() {
        // .invalid never resolves (RFC 6761); it may resolve later for a real name, so the delivery stays pending
        String[] a = agentWithRun("http://hooks.invalid:18601/a", "all");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                api.get("/agents/" + a[0] + "/webhook_deliveries").expect(200).items()).singleElement().satisfies(delivery ->
                assertThat(delivery).containsEntry("status", "pending").containsEntry("last_error", "cannot resolve host 'hooks.invalid'")));
    }

    @Test
    void webhook_deliveries_page_like_the_other_lists() {
        // Finished deliveries written directly: the sender only picks up pending ones, so they stay as they are.
        String agent = api.post("/agents", Map.of("name", "paged-" + UUID.randomUUID().toString().substring(0, 8))).expect(201).string("id");
        for (int i = 1; i <= 3; i++) {
            jdbc.sql("""
                    INSERT INTO webhook_delivery (outbox_id, agent_id, url, body, next_at, deliver_until, status, attempts, created_at)
                    VALUES (:outbox, CAST(:agent AS uuid), 'http://127.0.0.1:1/x', '{"type": "run.succeeded"}', now(), now(),
                            'delivered', 1, now() - make_interval(secs => :age))""")
                    .param("outbox", -i).param("agent", agent).param("age", i).update();
        }
        String path = "/agents/" + agent + "/webhook_deliveries";
        assertThat(api.get(path).expect(200).items()).extracting(d -> d.get("outbox_id")).containsExactly(-1, -2, -3);

        Map<String, Object> first = api.get(path + "?limit=2").expect(200).map();
        assertThat(first).containsEntry("total", 3).containsEntry("limit", 2).containsEntry("offset", 0).containsEntry("has_more", true);
        var second = api.get(path + "?limit=2&offset=2").expect(200);
        assertThat(second.items()).extracting(d -> d.get("outbox_id")).containsExactly(-3);
        assertThat(second.map()).containsEntry("total", 3).containsEntry("offset", 2).containsEntry("has_more", false);

        for (String query : List.of("limit=0", "limit=1001", "limit=ten", "offset=-1", "offset=abc")) {
            var bad = api.get(path + "?" + query).expect(400);
            assertThat(bad.get("error")).as(query).isEqualTo("ValidationError");
            assertThat(bad.details()).as(query).containsEntry("field", query.substring(0, query.indexOf('=')));
        }
    }

    /** As on every other id route: an id that names no agent, malformed or not, is a 404. */
    @Test
    void webhook_routes_answer_404_for_an_unknown_or_malformed_agent_id() {
        for (String id : List.of("not-a-uuid", UUID.randomUUID().toString())) {
            var deliveries = api.get("/agents/" + id + "/webhook_deliveries").expect(404);
            assertThat(deliveries.get("error")).as(id).isEqualTo("NotFound");
            assertThat(api.post("/agents/" + id + "/webhook_secret", "{}").expect(404).get("error")).as(id).isEqualTo("NotFound");
            assertThat(api.get("/agents/" + id).expect(404).get("error")).as(id).isEqualTo("NotFound");
        }
    }
}
