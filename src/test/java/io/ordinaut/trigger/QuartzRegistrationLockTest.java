package io.ordinaut.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import io.ordinaut.support.Nodes;
import io.ordinaut.support.TestDatabases;

/**
 * A node registers Quartz's jobs under the cluster-wide advisory lock: while another session holds it, the
 * node does not finish starting; once it is released, the node starts and its jobs are stored once. (The
 * race it prevents — two nodes on a new database both inserting the jobs — is too rare to provoke.)
 */
class QuartzRegistrationLockTest {

    @Test
    void a_node_waits_for_the_registration_lock_before_it_registers_quartz_jobs() throws Exception {
        try (Nodes nodes = Nodes.onFreshDatabase()) {
            // The schema first, so that the node below gets as far as Quartz.
            nodes.start("schema").close();
            try (Connection holder = DriverManager.getConnection(nodes.databaseUrl(), TestDatabases.user(), TestDatabases.password());
                 Statement st = holder.createStatement()) {
                st.execute("SELECT pg_advisory_lock(hashtextextended('ordinaut:quartz_registration', 0))");
                CompletableFuture<ConfigurableApplicationContext> node = CompletableFuture.supplyAsync(() -> nodes.start("waiting"));
                try {
                    node.get(8, TimeUnit.SECONDS);
                    throw new AssertionError("the node started while another session held the registration lock");
                } catch (TimeoutException expected) {
                    // still waiting for the lock
                }
                st.execute("SELECT pg_advisory_unlock(hashtextextended('ordinaut:quartz_registration', 0))");
                ConfigurableApplicationContext started = node.get(60, TimeUnit.SECONDS);
                assertThat(Nodes.jdbc(started).sql("SELECT count(*) FROM qrtz_job_details").query(Long.class).single()).isEqualTo(2L);
            }
        }
    }
}
