package io.ordinaut.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import io.ordinaut.support.NodeTestSupport;

/** Audit rows, ended tokens, missed-occurrence records and idle wrong-secret counts are deleted past their retention; the rest stay. */
@TestPropertySource(properties = {"ordinaut.retention.audit-log=30d", "ordinaut.retention.tokens=2d",
        "ordinaut.retention.missed-occurrences=7d", "ordinaut.retention.batch-size=2"})
class RetentionTest extends NodeTestSupport {

    @Autowired
    PruneRecords prune;

    @Test
    void records_past_their_retention_are_deleted_and_younger_or_live_ones_kept() {
        Instant now = Instant.now();
        for (int i = 0; i < 5; i++) {
            audit("old-" + i, now.minus(Duration.ofDays(31)));
        }
        audit("recent", now.minus(Duration.ofDays(29)));

        String agent = api.post("/agents", Map.of("name", "retained-" + UUID.randomUUID().toString().substring(0, 8),
                "scopes", List.of("tasks:read"))).expect(201).string("id");
        token("revoked-long-ago", agent, "access", now.plus(Duration.ofHours(1)), now.minus(Duration.ofDays(3)));
        token("expired-long-ago", agent, "refresh", now.minus(Duration.ofDays(3)), null);
        token("expired-lately", agent, "access", now.minus(Duration.ofDays(1)), null);
        token("live", agent, "access", now.plus(Duration.ofHours(1)), null);
        token("bootstrap", agent, "bootstrap", null, null);

        String task = api.post("/tasks", Map.of("title", "missed", "schedule_kind", "cron", "schedule_expr", "0 9 * * *",
                "payload", Map.of("pipeline", List.of(Map.of("id", "a", "uses", "noop.run"))))).expect(201).string("id");
        missed(task, now.minus(Duration.ofDays(8)));
        missed(task, now.minus(Duration.ofDays(8)));
        missed(task, now.minus(Duration.ofDays(6)));

        String strangerId = UUID.randomUUID().toString(); // no agent's: its wrong secrets are counted all the same
        failures(agent, "192.0.2.1", now.minus(Duration.ofHours(25)));
        failures(strangerId, "192.0.2.1", now.minus(Duration.ofHours(25)));
        failures(strangerId, "192.0.2.2", now.minus(Duration.ofHours(23)));

        prune.run();

        assertThat(jdbc.sql("SELECT action FROM audit_log WHERE action LIKE 'retention %'").query(String.class).list())
                .containsExactly("retention recent");
        assertThat(jdbc.sql("SELECT token_hash FROM agent_token WHERE agent_id = CAST(:agent AS uuid)").param("agent", agent)
                .query(String.class).list()).containsExactlyInAnyOrder("expired-lately", "live", "bootstrap");
        assertThat(jdbc.sql("SELECT count(*) FROM missed_occurrence WHERE task_id = CAST(:task AS uuid)").param("task", task)
                .query(Long.class).single()).isEqualTo(1);
        assertThat(jdbc.sql("SELECT CAST(agent_id AS text) || ' ' || client_address FROM credential_failure").query(String.class).list())
                .as("wrong-secret counts idle for a day are forgotten").containsExactly(strangerId + " 192.0.2.2");
    }

    private void failures(String agent, String address, Instant lastFailed) {
        jdbc.sql("""
                INSERT INTO credential_failure (agent_id, client_address, failed_attempts, last_failed_at)
                VALUES (CAST(:agent AS uuid), :address, 3, :at)
                """).param("agent", agent).param("address", address).param("at", Timestamp.from(lastFailed)).update();
    }

    private void audit(String marker, Instant at) {
        jdbc.sql("INSERT INTO audit_log (action, at) VALUES (:action, :at)").param("action", "retention " + marker)
                .param("at", Timestamp.from(at)).update();
    }

    private void token(String hash, String agent, String kind, Instant expires, Instant revoked) {
        jdbc.sql("""
                INSERT INTO agent_token (token_hash, agent_id, kind, family, expires_at, revoked_at)
                VALUES (:hash, CAST(:agent AS uuid), :kind, :family, :expires, :revoked)
                """).param("hash", hash).param("agent", agent).param("kind", kind).param("family", UUID.randomUUID())
                .param("expires", expires == null ? null : Timestamp.from(expires))
                .param("revoked", revoked == null ? null : Timestamp.from(revoked)).update();
    }

    private void missed(String task, Instant recorded) {
        jdbc.sql("""
                INSERT INTO missed_occurrence (task_id, first_missed, last_missed, missed_count, reason, recorded_at)
                VALUES (CAST(:task AS uuid), :at, :at, 1, 'test', :at)
                """).param("task", task).param("at", Timestamp.from(recorded)).update();
    }
}
