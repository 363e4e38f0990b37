package io.ordinaut.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The claim connection plans every claim itself and hands its connection back to the pool as it found it.
 * A generic plan of the prepared claim, made without its LIMIT, can read the whole backlog on every claim
 * (docs/benchmarks.md, "Drain throughput (session 6)"); which plan PostgreSQL would pick depends on the
 * statistics of the moment, so this checks the setting that rules it out rather than waiting for the plan.
 */
class ClaimPlanTest {

    @Test
    void the_claim_connection_plans_each_claim_and_is_reset_when_handed_back() throws Exception {
        try (QueueFixture fx = new QueueFixture(); Connection connection = fx.dataSource.getConnection()) {
            DueWorkQueue queue = fx.queue();
            UUID task = fx.task(QueueFixture.TaskRow.defaults().allowOverlap());
            fx.enqueue(queue, task, 20);
            JdbcClient sameSession = JdbcClient.create(new SingleConnectionDataSource(connection, true));

            Claims claims = new Claims(new SingleConnectionDataSource(connection, true));
            assertThat(claims.claim("node-a", 10, Duration.ofSeconds(60))).hasSize(10);
            assertThat(setting(sameSession, "plan_cache_mode")).isEqualTo("force_custom_plan");
            assertThat(setting(sameSession, "enable_seqscan")).isEqualTo("off");

            claims.close();
            assertThat(setting(sameSession, "plan_cache_mode")).isEqualTo("auto");
            assertThat(setting(sameSession, "enable_seqscan")).isEqualTo("on");
        }
    }

    private static String setting(JdbcClient jdbc, String name) {
        return jdbc.sql("SELECT current_setting(:name)").param("name", name).query(String.class).single();
    }
}
