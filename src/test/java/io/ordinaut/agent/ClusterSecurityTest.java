package io.ordinaut.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.ordinaut.support.Api;
import io.ordinaut.support.Eventually;
import io.ordinaut.support.Nodes;

/** Security across nodes: one generated admin token, shared limits, instant revocation, expiry. */
@Tag("cluster")
@ExtendWith(OutputCaptureExtension.class)
class ClusterSecurityTest {

    private static final Pattern GENERATED = Pattern.compile("Generated the system admin token \\(shown once[^)]*\\): (ord_admin_\\S+)");

    @Test
    void admin_token_is_generated_once_and_limits_revocation_and_expiry_hold_across_nodes(CapturedOutput output) throws Exception {
        Map<String, Object> settings = Map.of("ordinaut.security.admin-token", "", "ordinaut.security.access-token-ttl-seconds", 3,
                "ordinaut.security.refresh-token-ttl-seconds", 3);
        try (Nodes nodes = Nodes.onFreshDatabase()) {
            ConfigurableApplicationContext a = nodes.start("sec-a", settings);
            Matcher m = GENERATED.matcher(output.getAll());
            assertThat(m.find()).as("the first node prints the generated admin token").isTrue();
            String admin = m.group(1);
            ConfigurableApplicationContext b = nodes.start("sec-b", settings);
            assertThat(GENERATED.matcher(output.getAll()).results().count()).as("printed once per cluster").isOne();

            Api adminA = new Api(Nodes.port(a), admin);
            Api adminB = new Api(Nodes.port(b), admin);
            adminB.get("/agents").expect(200);
            new Api(Nodes.port(a), Api.ADMIN_TOKEN).get("/agents").expect(401);

            String limited = token(adminA, Map.of("api_calls_per_hour", 4));
            Api limitedA = adminA.as(limited);
            Api limitedB = adminB.as(limited);
            limitedA.get("/tasks").expect(200);
            limitedB.get("/tasks").expect(200);
            limitedA.get("/tasks").expect(200);
            limitedB.get("/tasks").expect(200);
            assertThat(limitedA.get("/tasks").status()).as("the hourly limit is shared by the nodes").isEqualTo(429);

            String revocable = token(adminA, null);
            adminB.as(revocable).get("/tasks").expect(200);
            adminA.as(null).post("/agents/auth/revoke", Map.of("token", revocable)).expect(200);
            assertThat(adminB.as(revocable).get("/tasks").status()).as("revoked on A, refused by B at once").isEqualTo(401);

            String expiring = token(adminA, null);
            adminB.as(expiring).get("/tasks").expect(200);
            // (polled slowly: each try is a request of that agent)
            Eventually.await("the token expired after its 3 s lifetime").pollInterval(Duration.ofMillis(500))
                    .until(() -> adminB.as(expiring).get("/tasks").status(), status -> status == 401);
            // Its whole session has expired (the refresh token lives 3 s here too): revoking it revokes nothing, so it
            // writes no audit row, as for an unknown token.
            JdbcClient jdbc = Nodes.jdbc(a);
            String revocations = "SELECT count(*) FROM audit_log WHERE action = 'POST /agents/auth/revoke'";
            String revokedTokens = "SELECT count(*) FROM agent_token WHERE revoked_at IS NOT NULL";
            long rowsBefore = jdbc.sql(revocations).query(Long.class).single();
            long revokedBefore = jdbc.sql(revokedTokens).query(Long.class).single();
            Eventually.await("the refresh token expired too").pollInterval(Duration.ofMillis(200)).until(() -> jdbc.sql(
                    "SELECT count(*) FROM agent_token WHERE expires_at > now() AND kind <> 'bootstrap'").query(Long.class).single(),
                    live -> live == 0);
            adminB.as(null).post("/agents/auth/revoke", Map.of("token", expiring)).expect(200);
            Thread.sleep(1_000);
            assertThat(jdbc.sql(revocations).query(Long.class).single()).as("no audit row for an expired session").isEqualTo(rowsBefore);
            assertThat(jdbc.sql(revokedTokens).query(Long.class).single()).isEqualTo(revokedBefore);
            assertThat(output.getAll()).doesNotContain(revocable).doesNotContain(expiring);
        }
    }

    private static String token(Api admin, Map<String, Object> budget) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("name", "agent-" + UUID.randomUUID().toString().substring(0, 8),
                "scopes", List.of("tasks:read")));
        if (budget != null) {
            body.put("budget", budget);
        }
        String id = admin.post("/agents", body).expect(201).string("id");
        String secret = admin.post("/agents/" + id + "/credentials", "{}").expect(200).string("agent_secret");
        return admin.as(null).post("/agents/auth/token", Map.of("agent_id", id, "agent_secret", secret)).expect(200).string("access_token");
    }
}
