package io.ordinaut.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.test.context.TestPropertySource;

import io.ordinaut.support.Api;
import io.ordinaut.support.NodeTestSupport;
import tools.jackson.databind.json.JsonMapper;

/**
 * Calls that have not proven who makes them are limited per client address before any secret or token
 * is checked. The test node trusts 127.0.0.1 as a proxy, so each test speaks for addresses of its own
 * through X-Forwarded-For.
 */
@TestPropertySource(properties = {"ordinaut.security.unauthenticated-burst=3", "ordinaut.security.unauthenticated-per-minute=1",
        "ordinaut.security.trusted-proxies=127.0.0.1/32, ::1", "ordinaut.security.lockout-threshold=100"})
class AnonymousRateLimitTest extends NodeTestSupport {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Credentials(String id, String secret) {
    }

    private Credentials agent() {
        String id = api.post("/agents", Map.of("name", "limited-" + UUID.randomUUID().toString().substring(0, 8),
                "scopes", List.of(Scopes.TASKS_READ))).expect(201).string("id");
        return new Credentials(id, api.post("/agents/" + id + "/credentials", "{}").expect(200).string("agent_secret"));
    }

    private HttpResponse<String> call(String method, String path, String forwardedFor, String token, Object body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("X-Forwarded-For", forwardedFor)
                .timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> token(String forwardedFor, Credentials agent, String secret) throws Exception {
        return call("POST", "/agents/auth/token", forwardedFor, null, Map.of("agent_id", agent.id(), "agent_secret", secret));
    }

    private int failedAttempts(Credentials agent) {
        return jdbc.sql("SELECT coalesce(sum(failed_attempts), 0) FROM credential_failure WHERE agent_id = CAST(:id AS uuid)")
                .param("id", agent.id()).query(Integer.class).single();
    }

    @Test
    void token_calls_past_the_address_budget_get_429_before_the_secret_is_checked() throws Exception {
        Credentials agent = agent();
        for (int i = 0; i < 3; i++) {
            assertThat(token("203.0.113.10", agent, "wrong-secret").statusCode()).isEqualTo(401);
        }
        assertThat(failedAttempts(agent)).isEqualTo(3);

        HttpResponse<String> limited = token("203.0.113.10", agent, agent.secret());
        assertThat(limited.statusCode()).as(limited.body()).isEqualTo(429);
        long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 60L);
        Map<?, ?> error = JSON.readValue(limited.body(), Map.class);
        assertThat(error.get("error")).isEqualTo("RateLimited");
        assertThat(error.get("request_id")).isNotNull();
        assertThat(failedAttempts(agent)).as("the refused call never reached the secret check").isEqualTo(3);
        assertThat(token("203.0.113.10", agent, "wrong-secret").statusCode()).isEqualTo(429);
        assertThat(failedAttempts(agent)).isEqualTo(3);

        assertThat(token("203.0.113.11", agent, agent.secret()).statusCode()).as("another address has its own budget").isEqualTo(200);
        assertThat(call("POST", "/agents/auth/refresh", "203.0.113.10", null, Map.of("refresh_token", "ord_rt_x")).statusCode())
                .isEqualTo(429);
    }

    @Test
    void refused_calls_on_any_route_use_up_the_address_budget_but_never_the_health_checks() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(call("GET", "/tasks", "198.51.100.7", "ord_at_forged-" + i, null).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> limited = call("GET", "/tasks", "198.51.100.7", "ord_at_forged-again", null);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).isPresent();
        // The limit falls before the token is looked up, so it holds even for a valid one from that address.
        assertThat(call("GET", "/tasks", "198.51.100.7", Api.ADMIN_TOKEN, null).statusCode()).isEqualTo(429);
        assertThat(call("GET", "/health/ready", "198.51.100.7", null, null).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/actuator/health/liveness", "198.51.100.7", null, null).statusCode()).isEqualTo(200);

        assertThat(call("GET", "/tasks", "198.51.100.8", Api.ADMIN_TOKEN, null).statusCode()).isEqualTo(200);
        // Authenticated calls cost the address nothing.
        for (int i = 0; i < 10; i++) {
            assertThat(call("GET", "/tasks", "198.51.100.9", Api.ADMIN_TOKEN, null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void bodies_of_a_type_no_route_takes_are_refused_for_want_of_a_token_and_use_up_the_budget() throws Exception {
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/tasks"))
                    .header("X-Forwarded-For", "198.51.100.20").header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
        }
        assertThat(call("GET", "/tasks", "198.51.100.20", "ord_at_forged", null).statusCode()).isEqualTo(429);
    }

    /**
     * Revoke answers 200 whatever the token (RFC 7009), so the status cannot tell a guess it failed; one that
     * revoked nothing still costs its address a unit, as a 401 would — the admin token too, so the limit does not
     * tell it apart either. A revocation that ends a live session is an authenticated call and costs nothing.
     */
    @Test
    void revocations_that_revoke_nothing_use_up_the_address_budget() throws Exception {
        for (String guess : List.of("ord_at_guess", Api.ADMIN_TOKEN)) {
            String address = guess.equals(Api.ADMIN_TOKEN) ? "192.0.2.41" : "192.0.2.40";
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = call("POST", "/agents/auth/revoke", address, null, Map.of("token", guess + i));
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            }
            HttpResponse<String> limited = call("POST", "/agents/auth/revoke", address, null, Map.of("token", guess));
            assertThat(limited.statusCode()).as("%s from %s: %s", guess, address, limited.body()).isEqualTo(429);
            assertThat(limited.headers().firstValue("Retry-After")).isPresent();
        }
        HttpResponse<String> adminFirst = call("POST", "/agents/auth/revoke", "192.0.2.42", null, Map.of("token", Api.ADMIN_TOKEN));
        assertThat(adminFirst.statusCode()).isEqualTo(200);
        for (int i = 0; i < 2; i++) {
            assertThat(call("POST", "/agents/auth/revoke", "192.0.2.42", null, Map.of("token", "ord_at_x" + i)).statusCode()).isEqualTo(200);
        }
        assertThat(call("POST", "/agents/auth/revoke", "192.0.2.42", null, Map.of("token", "ord_at_y")).statusCode())
                .as("the admin token cost a unit like the unknown ones").isEqualTo(429);
        assertThat(call("GET", "/agents", "192.0.2.43", Api.ADMIN_TOKEN, null).statusCode()).as("it stays valid").isEqualTo(200);

        Credentials agent = agent();
        for (int i = 0; i < 5; i++) {
            Map<?, ?> tokens = JSON.readValue(token("192.0.2.5" + i, agent, agent.secret()).body(), Map.class);
            HttpResponse<String> revoked = call("POST", "/agents/auth/revoke", "192.0.2.44", null,
                    Map.of("token", tokens.get("access_token")));
            assertThat(revoked.statusCode()).as("live session %d: %s", i, revoked.body()).isEqualTo(200);
        }
    }

    /**
     * A bad body on a public auth route proves no one, as a wrong token does: it costs the address a unit and is
     * folded into the address's one refusal row a minute, so a flood of them gets 429 and never grows the audit log.
     */
    @Test
    void bad_bodies_on_the_public_auth_routes_use_up_the_address_budget_and_are_folded_in_the_audit() throws Exception {
        String address = "192.0.2.60";
        for (String body : List.of("{}", "{", "{\"token\":\"\"}")) {
            HttpResponse<String> refused = raw("/agents/auth/revoke", address, body);
            assertThat(refused.statusCode()).as("%s: %s", body, refused.body()).isEqualTo(400);
        }
        HttpResponse<String> limited = raw("/agents/auth/revoke", address, "{}");
        assertThat(limited.statusCode()).as(limited.body()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).isPresent();

        String tokenAddress = "192.0.2.61";
        for (String body : List.of("{}", "{", "{\"agent_id\":\"\"}")) {
            assertThat(raw("/agents/auth/token", tokenAddress, body).statusCode()).as(body).isEqualTo(400);
        }
        assertThat(raw("/agents/auth/refresh", "192.0.2.62", "{}").statusCode()).isEqualTo(400);

        for (String client : List.of(address, tokenAddress, "192.0.2.62")) {
            assertOnlyFoldedAuditRows(client);
        }
    }

    /**
     * A mutating call answered 404 (no such route) or 405 before any route ran proves no one without a valid token:
     * like a 401 it costs its address a unit and is folded into the address's row of the minute, so a flood of them
     * gets 429 and never adds a row per call. Reads of unknown paths cost nothing and write nothing. The 401s that
     * /mcp and the actuator answer outside Spring MVC are folded the same way, once each.
     */
    @Test
    void mutating_calls_to_no_route_without_a_valid_token_use_up_the_address_budget_and_are_folded_in_the_audit() throws Exception {
        String address = "192.0.2.80";
        assertThat(call("POST", "/no/such/route", address, null, Map.of()).statusCode()).isEqualTo(404);
        assertThat(call("DELETE", "/audit", address, null, null).statusCode()).isEqualTo(405);
        assertThat(call("PUT", "/no/such/route", address, "ord_at_forged", Map.of()).statusCode()).isEqualTo(404);
        HttpResponse<String> limited = call("POST", "/no/such/route", address, null, Map.of());
        assertThat(limited.statusCode()).as(limited.body()).isEqualTo(429);
        assertFoldedRefusals(address, 3);

        for (int i = 0; i < 5; i++) {
            assertThat(call("GET", "/no/such/route", "192.0.2.81", null, null).statusCode()).isEqualTo(404);
        }
        assertThat(jdbc.sql("SELECT count(*) FROM audit_log WHERE client_address = '192.0.2.81'").query(Integer.class).single()).isZero();

        for (int i = 0; i < 2; i++) {
            assertThat(call("POST", "/mcp", "192.0.2.82", null, Map.of()).statusCode()).isEqualTo(401);
            assertThat(call("GET", "/actuator/metrics", "192.0.2.83", null, null).statusCode()).isEqualTo(401);
        }
        for (String client : List.of("192.0.2.82", "192.0.2.83")) {
            assertFoldedRefusals(client, 2);
        }
    }

    /** {@code client}'s refusals were folded into its rows of the minute and counted there, each once. */
    private void assertFoldedRefusals(String client, int refusals) {
        io.ordinaut.support.Eventually.until(refusals + " refusals counted from " + client, () -> jdbc.sql(
                "SELECT coalesce(sum(repeat_count), 0) FROM audit_log WHERE client_address = :client")
                .param("client", client).query(Integer.class).single() >= refusals);
        assertOnlyFoldedAuditRows(client);
        assertThat(jdbc.sql("SELECT sum(repeat_count) FROM audit_log WHERE client_address = :client").param("client", client)
                .query(Integer.class).single()).as("refusals counted from %s", client).isEqualTo(refusals);
    }

    /** The refusals from {@code client} were written as folded rows only: one, or two when they straddled a minute. */
    private void assertOnlyFoldedAuditRows(String client) {
        io.ordinaut.support.Eventually.until("the audit row of " + client, () -> jdbc.sql(
                "SELECT count(*) FROM audit_log WHERE client_address = :client").param("client", client).query(Integer.class).single() > 0);
        assertThat(jdbc.sql("SELECT count(*) FROM audit_log WHERE client_address = :client AND window_start IS NULL")
                .param("client", client).query(Integer.class).single()).as("rows of their own from %s", client).isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM audit_log WHERE client_address = :client")
                .param("client", client).query(Integer.class).single()).as("folded rows from %s", client).isBetween(1, 2);
    }

    /**
     * Spring routes /agents/auth/token;x=1 (a matrix parameter) and /agents/auth/%72evoke (an encoded letter) to the
     * same handlers as the plain paths, so they pay the same budget and are folded into the same audit rows.
     */
    @Test
    void other_spellings_of_the_public_auth_routes_pay_and_are_folded_like_the_plain_paths() throws Exception {
        Map<String, String> spellings = Map.of("192.0.2.70", "/agents/auth/token;x=1", "192.0.2.71", "/agents/auth/%72evoke",
                "192.0.2.72", "/agents;a=b/auth/%72efresh;x=1");
        spellings.forEach((client, path) -> {
            try {
                for (int i = 0; i < 3; i++) {
                    HttpResponse<String> refused = raw(path, client, "{\"x\":1}");
                    assertThat(refused.statusCode()).as("%s: %s", path, refused.body()).isEqualTo(400);
                }
                assertThat(raw(path, client, "{\"x\":1}").statusCode()).as(path).isEqualTo(429);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        for (String client : spellings.keySet()) {
            assertOnlyFoldedAuditRows(client);
        }

        Credentials agent = agent();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> signedIn = call("POST", "/agents/auth/token;x=1", "192.0.2.73", null,
                    Map.of("agent_id", agent.id(), "agent_secret", agent.secret()));
            assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(200);
        }
        assertThat(call("POST", "/agents/auth/%74oken", "192.0.2.73", null, Map.of("agent_id", agent.id(), "agent_secret", agent.secret()))
                .statusCode()).as("each sign-in took a unit").isEqualTo(429);
    }

    private HttpResponse<String> raw(String path, String forwardedFor, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("X-Forwarded-For", forwardedFor).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void forwarded_addresses_are_believed_only_from_trusted_proxies() {
        ClientAddresses trustingTheProxy = new ClientAddresses(List.of("10.0.0.0/8", "fd00::/8"));
        assertThat(trustingTheProxy.of(request("10.1.2.3", "203.0.113.5"))).isEqualTo("203.0.113.5");
        // The client may prepend anything; only the hop the trusted proxy appended counts.
        assertThat(trustingTheProxy.of(request("10.1.2.3", "1.1.1.1, 203.0.113.5"))).isEqualTo("203.0.113.5");
        assertThat(trustingTheProxy.of(request("10.1.2.3", "203.0.113.5, 10.9.9.9"))).as("a chain of trusted proxies")
                .isEqualTo("203.0.113.5");
        assertThat(trustingTheProxy.of(request("fd00::1", "2001:db8::7"))).isEqualTo("2001:db8:0:0:0:0:0:7");
        assertThat(trustingTheProxy.of(request("10.1.2.3", "not-an-address"))).isEqualTo("10.1.2.3");
        assertThat(trustingTheProxy.of(request("203.0.113.9", "10.0.0.1"))).as("an untrusted peer's header is ignored")
                .isEqualTo("203.0.113.9");
        assertThat(new ClientAddresses(List.of()).of(request("127.0.0.1", "203.0.113.5"))).as("no proxy trusted by default")
                .isEqualTo("127.0.0.1");
    }

    private static MockHttpServletRequest request(String peer, String forwardedFor) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/tasks");
        request.setRemoteAddr(peer);
        request.addHeader("X-Forwarded-For", forwardedFor);
        return request;
    }
}
