package io.ordinaut.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import io.ordinaut.support.Api;
import io.ordinaut.support.Api.Response;
import io.ordinaut.support.NodeTestSupport;
import io.ordinaut.web.PublicEndpoint;
import io.ordinaut.web.RequiresScope;
import tools.jackson.databind.json.JsonMapper;

/** Who may call what: tokens, scopes, ownership, limits and the audit trail. */
@ExtendWith(OutputCaptureExtension.class)
@TestPropertySource(properties = {"ordinaut.security.burst-per-second=30", "ordinaut.security.max-body-bytes=65536",
        "ordinaut.security.lockout-threshold=3", "ordinaut.security.lockout-seconds=30",
        // So a test can send calls from other addresses, through X-Forwarded-For; calls without it stay 127.0.0.1's.
        "ordinaut.security.trusted-proxies=127.0.0.1/32, ::1",
        // Every call comes from 127.0.0.1, and the route walk makes hundreds of refused calls on purpose.
        "ordinaut.security.unauthenticated-burst=10000"})
class AccessControlTest extends NodeTestSupport {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    record TestAgent(String id, String secret, String token, String refresh) {
    }

    TestAgent agent(String name, Object budget, String... scopes) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name + "-" + UUID.randomUUID().toString().substring(0, 8));
        body.put("scopes", List.of(scopes));
        if (budget != null) {
            body.put("budget", budget);
        }
        String id = api.post("/agents", body).expect(201).string("id");
        String secret = api.post("/agents/" + id + "/credentials", "{}").expect(200).string("agent_secret");
        Response tokens = api.as(null).post("/agents/auth/token", Map.of("agent_id", id, "agent_secret", secret)).expect(200);
        assertThat(tokens.get("token_type")).isEqualTo("bearer");
        assertThat(tokens.get("expires_in")).isEqualTo(3600);
        return new TestAgent(id, secret, tokens.string("access_token"), tokens.string("refresh_token"));
    }

    static Map<String, Object> task(String title) {
        return Map.of("title", title, "schedule_kind", "cron", "schedule_expr", "0 9 * * *",
                "payload", Map.of("pipeline", List.of(Map.of("id", "a", "uses", "noop.run"))));
    }

    List<String[]> routes() {
        List<String[]> routes = new ArrayList<>();
        for (Map.Entry<RequestMappingInfo, HandlerMethod> e : mappings.getHandlerMethods().entrySet()) {
            if (!e.getValue().getBeanType().getPackageName().startsWith("io.ordinaut")) {
                continue;
            }
            for (String pattern : e.getKey().getPatternValues()) {
                for (var method : e.getKey().getMethodsCondition().getMethods()) {
                    routes.add(new String[] {method.name(), pattern, isPublic(e.getValue()) ? "public" : "protected"});
                }
            }
        }
        return routes;
    }

    static boolean isPublic(HandlerMethod m) {
        return m.hasMethodAnnotation(PublicEndpoint.class) || m.getBeanType().isAnnotationPresent(PublicEndpoint.class);
    }

    @Test
    void every_route_declares_its_scope_or_is_explicitly_public() {
        List<String> undeclared = new ArrayList<>();
        mappings.getHandlerMethods().forEach((info, m) -> {
            if (m.getBeanType().getPackageName().startsWith("io.ordinaut") && !isPublic(m)
                    && !m.hasMethodAnnotation(RequiresScope.class) && !m.getBeanType().isAnnotationPresent(RequiresScope.class)) {
                undeclared.add(info.toString());
            }
        });
        assertThat(undeclared).isEmpty();
        assertThat(routes()).hasSizeGreaterThan(15);
    }

    @Test
    void every_protected_route_answers_401_without_a_valid_token_and_403_without_its_scope() {
        TestAgent nobody = agent("nobody", null);
        for (String[] route : routes()) {
            if (route[2].equals("public")) {
                continue;
            }
            String path = route[1].replaceAll("\\{[^}]+}", UUID.randomUUID().toString());
            for (String token : new String[] {null, "not-a-token", "ord_at_forged"}) {
                Response r = call(api.as(token), route[0], path);
                assertThat(r.status()).as("%s %s with token %s", route[0], path, token).isEqualTo(401);
                assertThat(r.get("error")).isEqualTo("Unauthorized");
            }
            Response forbidden = call(api.as(nobody.token()), route[0], path);
            assertThat(forbidden.status()).as("%s %s without scope", route[0], path).isEqualTo(403);
            assertThat(forbidden.get("error")).isEqualTo("Forbidden");
        }
        assertThat(api.as(null).get("/health").status()).isEqualTo(200);
        assertThat(api.as(null).get("/v3/api-docs").status()).isEqualTo(200);
    }

    @Test
    void agents_see_and_change_only_their_own_tasks_and_runs() throws Exception {
        String[] all = {"tasks:create", "tasks:read", "tasks:update", "tasks:delete", "runs:read", "runs:write"};
        TestAgent alice = agent("alice", null, all);
        TestAgent bob = agent("bob", null, all);
        Api asAlice = api.as(alice.token());
        Api asBob = api.as(bob.token());

        Map<String, Object> spoofed = new LinkedHashMap<>(task("alice's"));
        spoofed.put("created_by", bob.id());
        String aliceTask = asAlice.post("/tasks", spoofed).expect(201).string("id");
        assertThat(asAlice.get("/tasks/" + aliceTask).get("created_by")).as("created_by is ignored for non-admins").isEqualTo(alice.id());
        String runId = asAlice.post("/tasks/" + aliceTask + "/run_now", "{}").expect(200).details().get("run_id").toString();
        String bobTask = asBob.post("/tasks", task("bob's")).expect(201).string("id");

        for (String path : List.of("/tasks/" + aliceTask, "/tasks/" + aliceTask + "/preview", "/runs/" + runId)) {
            assertThat(asBob.get(path).status()).as(path).isEqualTo(404);
        }
        for (String action : List.of("pause", "resume", "cancel", "run_now")) {
            assertThat(asBob.post("/tasks/" + aliceTask + "/" + action, "{}").status()).as(action).isEqualTo(404);
        }
        assertThat(asBob.put("/tasks/" + aliceTask, Map.of("title", "mine now")).status()).isEqualTo(404);
        assertThat(asBob.delete("/tasks/" + aliceTask).status()).isEqualTo(404);
        assertThat(asBob.post("/tasks/" + aliceTask + "/snooze", Map.of("delay_seconds", 60)).status()).isEqualTo(404);
        // a run command names no run of another agent's either: no cancel, no retry, and the run stays as it was
        Map<String, Object> finished = api.awaitFinished(runId);
        for (String command : List.of("cancel", "retry")) {
            assertThat(asBob.post("/runs/" + runId + "/" + command, "{}").status()).as(command).isEqualTo(404);
        }
        assertThat(asAlice.get("/runs/" + runId).get("status")).isEqualTo(finished.get("status"));
        assertThat(asAlice.get("/runs?task_id=" + aliceTask).items()).hasSize(1);

        assertThat(asBob.get("/tasks?limit=200").items()).extracting(t -> t.get("id")).containsExactly(bobTask);
        assertThat(asBob.get("/runs?limit=1000").items()).extracting(r -> r.get("task_id")).doesNotContain(aliceTask);
        assertThat(asBob.get("/runs?task_id=" + aliceTask).items()).isEmpty();
        assertThat(asAlice.get("/tasks/" + aliceTask).get("title")).isEqualTo("alice's");
        assertThat(asAlice.get("/runs/" + runId).status()).isEqualTo(200);
        assertThat(api.get("/tasks/" + bobTask).status()).as("admins see every task").isEqualTo(200);
        Map<String, Object> adminOwned = new LinkedHashMap<>(task("given to bob"));
        adminOwned.put("created_by", bob.id());
        String given = api.post("/tasks", adminOwned).expect(201).string("id");
        assertThat(asBob.get("/tasks/" + given).get("created_by")).as("admins may set created_by").isEqualTo(bob.id());
        asBob.put("/tasks/" + given, Map.of("created_by", alice.id(), "title", "still bob's")).expect(200);
        assertThat(asBob.get("/tasks/" + given).get("created_by")).as("created_by is ignored on PUT too").isEqualTo(bob.id());
        api.put("/tasks/" + given, Map.of("created_by", alice.id())).expect(200);
        assertThat(asAlice.get("/tasks/" + given).get("created_by")).as("admins may hand a task over").isEqualTo(alice.id());
        assertThat(asBob.get("/tasks/" + given).status()).isEqualTo(404);
    }

    @Test
    void tokens_refresh_once_and_revocation_and_rotation_take_effect_immediately() {
        TestAgent carol = agent("carol", null, "tasks:read");
        assertThat(api.as(carol.token()).get("/tasks").status()).isEqualTo(200);

        Response refreshed = api.as(null).post("/agents/auth/refresh", Map.of("refresh_token", carol.refresh())).expect(200);
        String newAccess = refreshed.string("access_token");
        assertThat(api.as(newAccess).get("/tasks").status()).isEqualTo(200);
        assertThat(api.as(carol.token()).get("/tasks").status()).as("the refreshed family is retired").isEqualTo(401);
        assertThat(api.as(null).post("/agents/auth/refresh", Map.of("refresh_token", carol.refresh())).status())
                .as("a refresh token works once").isEqualTo(401);

        api.as(null).post("/agents/auth/revoke", Map.of("token", newAccess)).expect(200);
        assertThat(api.as(newAccess).get("/tasks").status()).isEqualTo(401);
        assertThat(api.as(null).post("/agents/auth/refresh", Map.of("refresh_token", refreshed.string("refresh_token"))).status())
                .isEqualTo(401);

        Response again = api.as(null).post("/agents/auth/token", Map.of("agent_id", carol.id(), "agent_secret", carol.secret())).expect(200);
        String live = again.string("access_token");
        String rotated = api.post("/agents/" + carol.id() + "/credentials", "{}").expect(200).string("agent_secret");
        assertThat(rotated).isNotEqualTo(carol.secret());
        assertThat(api.as(live).get("/tasks").status()).as("rotation ends old sessions").isEqualTo(401);
        assertThat(api.as(null).post("/agents/auth/token", Map.of("agent_id", carol.id(), "agent_secret", carol.secret())).status())
                .isEqualTo(401);
        api.as(null).post("/agents/auth/token", Map.of("agent_id", carol.id(), "agent_secret", rotated)).expect(200);
    }

    /** Whoever refreshed first holds the session; the other party's replay tells us it was stolen, and ends it. */
    @Test
    void replaying_a_used_refresh_token_revokes_its_whole_session_and_is_audited() {
        TestAgent ivan = agent("ivan", null, "tasks:read");
        Api anonymous = api.as(null);
        String otherSession = anonymous.post("/agents/auth/token", Map.of("agent_id", ivan.id(), "agent_secret", ivan.secret()))
                .expect(200).string("access_token");
        // given a thief refreshed with ivan's refresh token, twice
        Response stolen = anonymous.post("/agents/auth/refresh", Map.of("refresh_token", ivan.refresh())).expect(200);
        Response later = anonymous.post("/agents/auth/refresh", Map.of("refresh_token", stolen.string("refresh_token"))).expect(200);
        api.as(later.string("access_token")).get("/tasks").expect(200);

        // when ivan presents his (used) refresh token
        Response replay = anonymous.post("/agents/auth/refresh", Map.of("refresh_token", ivan.refresh())).expect(401);
        assertThat(replay.string("message")).isEqualTo("The refresh token is unknown, expired, used or revoked");

        // then every token descended from that login is revoked
        api.as(later.string("access_token")).get("/tasks").expect(401);
        anonymous.post("/agents/auth/refresh", Map.of("refresh_token", later.string("refresh_token"))).expect(401);
        api.as(stolen.string("access_token")).get("/tasks").expect(401);
        api.as(otherSession).get("/tasks").expect(200); // another login is another session
        // and audited, once: a second replay finds nothing left to revoke
        anonymous.post("/agents/auth/refresh", Map.of("refresh_token", ivan.refresh())).expect(401);
        List<Map<String, Object>> rows = api.get("/audit?action=token.refresh_reused&subject_id=" + ivan.id()).expect(200).items();
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0)).containsEntry("status", 401);
        assertThat(rows.get(0).get("details").toString()).contains("revoked_tokens=2");
    }

    /**
     * The admin token is operator configuration, so the API does not revoke it; but the answer must not say so,
     * or revoke would tell anyone which string is the admin token (RFC 7009: an invalid token is not told apart).
     */
    @Test
    void revoking_the_admin_token_is_answered_like_an_unknown_token_and_leaves_it_valid(CapturedOutput output) {
        String system = "00000000-0000-0000-0000-000000000001";
        Response unknown = api.as(null).post("/agents/auth/revoke", Map.of("token", "ord_at_" + UUID.randomUUID())).expect(200);
        Response admin = api.as(null).post("/agents/auth/revoke", Map.of("token", Api.ADMIN_TOKEN)).expect(200);
        assertThat(admin.map()).isEqualTo(unknown.map());
        assertThat(admin.headers().keySet()).isEqualTo(unknown.headers().keySet());
        assertThat(admin.string("message")).doesNotContainIgnoringCase("admin");
        api.get("/agents").expect(200);
        // the operator, not the caller, learns that it still works
        assertThat(output.getAll()).contains("was given the system admin token").doesNotContain(Api.ADMIN_TOKEN);

        Response rotated = api.post("/agents/" + system + "/credentials", "{}").expect(200);
        assertThat(rotated.string("message")).contains("ORDINAUT_ADMIN_TOKEN", "stays valid")
                .doesNotContain("Earlier secrets and tokens of this agent no longer work");
        api.get("/agents").expect(200);

        // the system agent's secret sessions are ordinary ones: rotation and revocation end them
        Response login = api.as(null).post("/agents/auth/token", Map.of("agent_id", system, "agent_secret", rotated.string("agent_secret")))
                .expect(200);
        api.as(login.string("access_token")).get("/agents").expect(200);
        api.post("/agents/" + system + "/credentials", "{}").expect(200);
        api.as(login.string("access_token")).get("/agents").expect(401);
        Response again = api.as(null).post("/agents/auth/token", Map.of("agent_id", system,
                "agent_secret", api.post("/agents/" + system + "/credentials", "{}").expect(200).string("agent_secret"))).expect(200);
        assertThat(api.as(null).post("/agents/auth/revoke", Map.of("token", again.string("access_token"))).expect(200).map())
                .isEqualTo(unknown.map());
        api.as(again.string("access_token")).get("/agents").expect(401);
        api.get("/agents").expect(200);
    }

    /** Anyone may call revoke with any string: only a revocation that ended a session is worth a row of its own. */
    @Test
    void revocations_that_revoke_nothing_write_no_audit_rows() {
        TestAgent kim = agent("kim", null, "tasks:read");
        int before = revokeRows();
        for (int i = 0; i < 20; i++) {
            api.as(null).post("/agents/auth/revoke", Map.of("token", "ord_at_guess-" + i)).expect(200);
        }
        assertThat(revokeRows()).as("unknown tokens").isEqualTo(before);
        api.as(null).post("/agents/auth/revoke", Map.of("token", Api.ADMIN_TOKEN)).expect(200);
        assertThat(revokeRows()).as("the admin token").isEqualTo(before);

        api.as(null).post("/agents/auth/revoke", Map.of("token", kim.refresh())).expect(200);
        api.as(kim.token()).get("/tasks").expect(401);
        assertThat(revokeRows()).isEqualTo(before + 1);
        List<Map<String, Object>> rows = api.get("/audit?action=POST%20/agents/auth/revoke&subject_id=" + kim.id()).expect(200).items();
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0)).containsEntry("status", 200);
        assertThat(rows.get(0).get("details").toString()).contains("revoked_tokens=2");
        // revoking the same session again revokes nothing, and is not written either
        api.as(null).post("/agents/auth/revoke", Map.of("token", kim.token())).expect(200);
        assertThat(revokeRows()).isEqualTo(before + 1);
    }

    private int revokeRows() {
        return jdbc.sql("SELECT count(*) FROM audit_log WHERE action = 'POST /agents/auth/revoke'").query(Integer.class).single();
    }

    @Test
    void repeated_wrong_secrets_lock_the_credential() {
        TestAgent dave = agent("dave", null, "tasks:read");
        Api anonymous = api.as(null);
        for (int i = 0; i < 3; i++) {
            Response wrong = anonymous.post("/agents/auth/token", Map.of("agent_id", dave.id(), "agent_secret", "guess-" + i));
            assertThat(wrong.status()).isEqualTo(401);
            assertThat(wrong.string("message")).doesNotContain("guess");
        }
        Response locked = anonymous.post("/agents/auth/token", Map.of("agent_id", dave.id(), "agent_secret", dave.secret()));
        assertThat(locked.status()).as("even the right secret waits out the lockout").isEqualTo(429);
        assertThat(Integer.parseInt(locked.header("Retry-After"))).isBetween(1, 30);
        assertThat(anonymous.post("/agents/auth/token", Map.of("agent_id", UUID.randomUUID().toString(), "agent_secret", "x")).status())
                .isEqualTo(401);
        anonymous.post("/agents/auth/token", Map.of("agent_id", "not-a-uuid", "agent_secret", "x")).expect(401);
        anonymous.post("/agents/auth/token", Map.of("agent_id", dave.id())).expect(400);
    }

    /** Agent ids are no secret: wrong secrets sent from one address must not lock the agent out everywhere. */
    @Test
    void wrong_secrets_lock_out_only_the_address_they_came_from() throws Exception {
        TestAgent judy = agent("judy", null, "tasks:read");
        for (int i = 0; i < 3; i++) {
            assertThat(tokenFrom("203.0.113.66", judy.id(), "guess-" + i).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> locked = tokenFrom("203.0.113.66", judy.id(), judy.secret());
        assertThat(locked.statusCode()).as("the guessing address waits, even with the right secret").isEqualTo(429);

        assertThat(tokenFrom("198.51.100.23", judy.id(), judy.secret()).statusCode()).as("another address is not locked out").isEqualTo(200);
        api.as(null).post("/agents/auth/token", Map.of("agent_id", judy.id(), "agent_secret", judy.secret())).expect(200);
        assertThat(tokenFrom("203.0.113.66", judy.id(), judy.secret()).statusCode()).isEqualTo(429);
        assertThat(locked.body()).contains("from this address");
    }

    /** The 401 says the same for an unknown id and a wrong secret; the lockout must not tell them apart either. */
    @Test
    void an_unknown_agent_id_is_locked_out_exactly_like_an_existing_one() throws Exception {
        TestAgent existing = agent("locked", null, "tasks:read");
        String withoutSecret = api.post("/agents", Map.of("name", "secretless-" + UUID.randomUUID().toString().substring(0, 8),
                "scopes", List.of("tasks:read"))).expect(201).string("id");
        Map<String, List<String>> answers = new LinkedHashMap<>();
        for (String id : List.of(existing.id(), UUID.randomUUID().toString(), withoutSecret)) {
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> r = tokenFrom("192.0.2.77", id, "guess-" + i);
                Map<?, ?> error = JSON.readValue(r.body(), Map.class);
                seen.add(r.statusCode() + " " + error.get("error") + " " + error.get("message").toString().replaceAll("\\d+ s$", "N s")
                        + (r.headers().firstValue("Retry-After").isPresent() ? " Retry-After" : ""));
            }
            answers.put(id, seen);
        }
        assertThat(answers.get(existing.id())).as("an existing agent").containsExactly(
                "401 Unauthorized Invalid agent_id or agent_secret", "401 Unauthorized Invalid agent_id or agent_secret",
                "401 Unauthorized Invalid agent_id or agent_secret",
                "429 RateLimited Too many failed attempts for this agent from this address; try again in N s Retry-After",
                "429 RateLimited Too many failed attempts for this agent from this address; try again in N s Retry-After");
        assertThat(answers.values()).as("unknown id, agent without a secret").allSatisfy(seen ->
                assertThat(seen).isEqualTo(answers.get(existing.id())));
        // the locked-out existing agent still signs in from elsewhere; the lockout held the right secret too
        assertThat(tokenFrom("192.0.2.77", existing.id(), existing.secret()).statusCode()).isEqualTo(429);
        assertThat(tokenFrom("192.0.2.78", existing.id(), existing.secret()).statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> tokenFrom(String address, String agentId, String secret) throws Exception {
        String body = "{\"agent_id\":\"" + agentId + "\",\"agent_secret\":\"" + secret + "\"}";
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/agents/auth/token"))
                .header("X-Forwarded-For", address).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void hourly_limits_and_bursts_answer_429_with_retry_after() {
        TestAgent erin = agent("erin", Map.of("api_calls_per_hour", 5), "tasks:read");
        Api asErin = api.as(erin.token());
        for (int i = 0; i < 5; i++) {
            asErin.get("/tasks").expect(200);
        }
        Response limited = asErin.get("/tasks").expect(429);
        assertThat(limited.get("error")).isEqualTo("RateLimited");
        assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(1L, 3600L);

        TestAgent frank = agent("frank", null, "tasks:read");
        Api asFrank = api.as(frank.token());
        // the per-second window, without depending on how fast this machine sends calls: the counter of
        // each second of the next two minutes already holds the limit, so the next call is one too many
        jdbc.sql("""
                INSERT INTO rate_window (agent_id, granularity, window_start, count)
                SELECT CAST(:agent AS uuid), 'second', date_trunc('second', now()) + make_interval(secs => s), 30
                  FROM generate_series(0, 120) s""").param("agent", frank.id()).update();
        Response burst = asFrank.get("/tasks").expect(429);
        assertThat(burst.get("error")).isEqualTo("RateLimited");
        assertThat(burst.string("message")).contains("per-second burst of 30");
        assertThat(burst.header("Retry-After")).isEqualTo("1");
        assertThat(api.get("/tasks").status()).as("admins are not limited").isEqualTo(200);
    }

    @Test
    void runs_over_the_daily_budget_are_recorded_as_skipped() throws Exception {
        TestAgent henry = agent("henry", Map.of("runs_per_day", 2), "tasks:create", "runs:write", "runs:read");
        Api asHenry = api.as(henry.token());
        String task = asHenry.post("/tasks", task("budgeted")).expect(201).string("id");
        List<String> runIds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            runIds.add(asHenry.post("/tasks/" + task + "/run_now", "{}").expect(200).details().get("run_id").toString());
            asHenry.awaitFinished(runIds.get(i));
        }
        List<Object> statuses = runIds.stream().map(id -> asHenry.get("/runs/" + id).get("status")).toList();
        assertThat(statuses).containsExactly("succeeded", "succeeded", "skipped");
        assertThat(asHenry.get("/runs/" + runIds.get(2) + "?include_errors=true").string("error")).contains("budget");
    }

    @Test
    void oversized_bodies_are_refused_with_413() {
        String big = "{\"title\":\"" + "x".repeat(70_000) + "\"}";
        Response r = api.postRaw("/tasks", big, "application/json");
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.get("error")).isEqualTo("PayloadTooLarge");
    }

    @Test
    void mutations_are_audited_without_secrets(CapturedOutput output) {
        TestAgent grace = agent("grace", null, "tasks:create", "tasks:update");
        String task = api.as(grace.token()).post("/tasks", task("audited")).expect(201).string("id");
        api.as(grace.token()).post("/tasks/" + task + "/pause", "{}").expect(200);
        api.as(null).post("/tasks/" + task + "/resume", "{}").expect(401);

        Response audit = api.get("/audit?subject_id=" + task);
        assertThat(audit.items()).extracting(a -> a.get("action"))
                .contains("POST /tasks", "POST /tasks/{id}/pause", "POST /tasks/{id}/resume");
        assertThat(audit.items()).filteredOn(a -> "POST /tasks/{id}/pause".equals(a.get("action")))
                .extracting(a -> a.get("actor")).containsExactly(grace.id());
        assertThat(audit.items()).filteredOn(a -> "POST /tasks/{id}/resume".equals(a.get("action")))
                .extracting(a -> a.get("status")).containsExactly(401);
        assertThat(api.get("/audit?actor=" + grace.id()).items()).isNotEmpty();
        assertThat(api.as(grace.token()).get("/audit").status()).isEqualTo(403);
        api.get("/audit?actor=nobody").expect(400);
        api.get("/audit?since=yesterday").expect(400);
        api.get("/audit?limit=0").expect(400);

        String everything = jdbc.sql("SELECT coalesce(string_agg(CAST(a AS text), ' '), '') FROM audit_log a").query(String.class).single();
        String tokens = jdbc.sql("SELECT coalesce(string_agg(CAST(t AS text), ' '), '') FROM agent_token t").query(String.class).single();
        String credentials = jdbc.sql("SELECT coalesce(string_agg(CAST(c AS text), ' '), '') FROM agent_credential c").query(String.class).single();
        for (String secret : List.of(grace.secret(), grace.token(), grace.refresh())) {
            assertThat(everything).doesNotContain(secret);
            assertThat(tokens).doesNotContain(secret);
            assertThat(credentials).doesNotContain(secret);
            assertThat(output.getAll()).doesNotContain(secret);
        }
        assertThat(api.get("/agents/" + grace.id()).body()).doesNotContain(grace.secret());
    }

    /** A caller must not grow the audit log at will: what a row keeps of a path is bounded. */
    @Test
    void an_audit_row_keeps_a_bounded_part_of_a_long_path_id() {
        String id = "y".repeat(3_000);
        api.post("/tasks/" + id + "/pause", "{}").expect(404);

        String select = """
                SELECT subject_id, path, details -> 'path_variables' ->> 'id' AS variable
                  FROM audit_log WHERE action = 'POST /tasks/{id}/pause' AND path LIKE '/tasks/yyy%'""";
        await().atMost(Duration.ofSeconds(10)).until(() -> !jdbc.sql(select).query().listOfRows().isEmpty());
        Map<String, Object> row = jdbc.sql(select).query().singleRow();
        assertThat((String) row.get("subject_id")).isEqualTo("y".repeat(200) + "… (3000 characters)");
        assertThat((String) row.get("variable")).isEqualTo("y".repeat(200) + "… (3000 characters)");
        assertThat((String) row.get("path")).startsWith("/tasks/yyy").endsWith("… (3013 characters)").hasSizeLessThan(2_100);
    }

    @Test
    void agent_api_refuses_bad_input_duplicate_names_and_unknown_ids() {
        api.post("/agents", Map.of("name", "")).expect(400);
        api.post("/agents", Map.of("name", "x", "scopes", List.of("not a scope!"))).expect(400);
        api.post("/agents", Map.of("name", "x", "scopes", "admin")).expect(400);
        api.post("/agents", Map.of("name", "x", "webhook_url", "ftp://nope")).expect(400);
        api.post("/agents", Map.of("name", "x", "budget", Map.of("runs_per_day", 0))).expect(400);
        // 2^64 + 384, which narrowed to its low 64 bits was a budget of 384
        assertThat(api.post("/agents", Map.of("name", "x", "budget", Map.of("api_calls_per_hour", 1.8446744073709552e19))).expect(400)
                .string("message")).contains("api_calls_per_hour must be between 1 and 10000000 (got 1.8446744073709552E19)");
        assertThat(api.post("/agents", Map.of("name", "x", "budget", Map.of("runs_per_day", 1.8446744073709552e19))).expect(400)
                .string("message")).contains("runs_per_day must be between 1 and 10000000");
        String name = "dup-" + UUID.randomUUID().toString().substring(0, 6);
        api.post("/agents", Map.of("name", name)).expect(201);
        api.post("/agents", Map.of("name", name)).expect(409);
        api.get("/agents/" + UUID.randomUUID()).expect(404);
        api.get("/agents/nope").expect(404);
        api.delete("/agents/00000000-0000-0000-0000-000000000001").expect(409);
        Response filtered = api.get("/agents?name_filter=" + name);
        assertThat(filtered.items()).hasSize(1);
        assertThat(api.get("/agents?scope_filter=admin").items()).extracting(a -> a.get("name")).contains("system");
    }

    /** Its tools would be left ownerless, and ownerless tools are trusted like admins' by every task's pipeline. */
    @Test
    void an_agent_that_owns_tools_cannot_be_deleted() {
        TestAgent owner = agent("tool-owner", null, "tools:read", "tools:write");
        String address = "owned" + UUID.randomUUID().toString().substring(0, 6) + ".call";
        api.as(owner.token()).post("/tools", Map.of("address", address, "transport", "simulate")).expect(201);

        Response refused = api.delete("/agents/" + owner.id()).expect(409);
        assertThat(refused.string("message")).contains("owns tools");
        assertThat(api.get("/tools/" + address).expect(200).get("created_by")).isEqualTo(owner.id());

        api.as(owner.token()).delete("/tools/" + address).expect(200);
        api.delete("/agents/" + owner.id()).expect(200);
    }

    /** Tasks are never deleted, so neither is their owner; the 409 says how to retire it instead, and that works. */
    @Test
    void an_agent_that_owned_tasks_is_retired_by_taking_its_scopes() {
        TestAgent owner = agent("task-owner", null, "tasks:create", "tasks:read", "tasks:delete");
        String taskId = api.as(owner.token()).post("/tasks", task("owned")).expect(201).string("id");
        api.as(owner.token()).post("/tasks/" + taskId + "/cancel", "{}").expect(200);

        Response refused = api.delete("/agents/" + owner.id()).expect(409);
        assertThat(refused.string("message")).contains("canceled ones included").contains("scopes to []");

        api.put("/agents/" + owner.id(), Map.of("scopes", List.of())).expect(200);
        api.as(owner.token()).get("/tasks").expect(403);
    }

    private static Response call(Api client, String method, String path) {
        return switch (method) {
            case "GET" -> client.get(path);
            case "DELETE" -> client.delete(path);
            case "PUT" -> client.put(path, "{}");
            default -> client.post(path, "{}");
        };
    }
}
