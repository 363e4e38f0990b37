package io.ordinaut.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * The relay's warning blames the side that failed (what a PostgreSQL outage and a Redis outage throw) and says
 * what failed in words; failed rounds back off.
 */
class RelayFailureTest {

    @Test
    void database_failures_are_put_down_to_the_database() {
        SQLTransientConnectionException pool = new SQLTransientConnectionException("HikariPool-1 - Connection is not available");
        assertThat(RelayFailure.of(new CannotCreateTransactionException("Could not open JDBC Connection for transaction", pool)))
                .isEqualTo(RelayFailure.DATABASE);
        assertThat(RelayFailure.of(new CannotGetJdbcConnectionException("Failed to obtain JDBC Connection", pool)))
                .isEqualTo(RelayFailure.DATABASE);
        assertThat(RelayFailure.DATABASE.warning()).contains("PostgreSQL").doesNotContain("until Redis is back");
    }

    @Test
    void redis_failures_are_put_down_to_redis() {
        assertThat(RelayFailure.of(new RedisConnectionException("Unable to connect to 127.0.0.1:6390", new ConnectException())))
                .isEqualTo(RelayFailure.REDIS);
        assertThat(RelayFailure.of(new RedisException("Appending to Redis failed", new TimeoutException())))
                .isEqualTo(RelayFailure.REDIS);
        assertThat(RelayFailure.of(new IllegalStateException("wrapped", new RedisCommandTimeoutException("timed out"))))
                .isEqualTo(RelayFailure.REDIS);
        assertThat(RelayFailure.REDIS.warning()).contains("until Redis is back");
    }

    @Test
    void the_health_message_says_what_failed_in_words_without_class_names() {
        RedisException timedOut = new RedisException("Redis did not answer within 3000 ms",
                new RedisCommandTimeoutException("Command timed out after 3 second(s)"));
        assertThat(RelayFailure.describe(timedOut)).isEqualTo("Redis did not answer within 3000 ms");
        assertThat(RelayFailure.describe(new IllegalStateException("x", new RedisCommandTimeoutException("XADD timed out"))))
                .isEqualTo("Redis did not answer in time");
        assertThat(RelayFailure.describe(new RedisConnectionException("Unable to connect to 127.0.0.1:6390",
                new ConnectException("Connection refused"))))
                .isEqualTo("cannot connect to Redis: Unable to connect to 127.0.0.1:6390");
        assertThat(RelayFailure.describe(new RedisConnectionException("Unable to connect to 127.0.0.1/<unresolved>:6393",
                new ConnectException("Connection refused"))))
                .isEqualTo("cannot connect to Redis: Unable to connect to 127.0.0.1:6393");
        // a stalled Redis takes the connection but never answers its handshake
        assertThat(RelayFailure.describe(new RedisConnectionException("Unable to connect to 127.0.0.1/<unresolved>:6393",
                new RedisCommandTimeoutException("Command timed out after 1 second(s)"))))
                .isEqualTo("Redis did not answer in time (connecting)");
        assertThat(RelayFailure.describe(new RedisException(
                "io.netty.channel.AbstractChannel$AnnotatedConnectException: Connection refused")))
                .isEqualTo("Connection refused");
        assertThat(RelayFailure.describe(new CannotCreateTransactionException("Could not open JDBC Connection for transaction",
                new SQLTransientConnectionException("pool"))))
                .isEqualTo("the database failed: Could not open JDBC Connection for transaction");
    }

    @Test
    void failed_rounds_back_off_from_the_relay_interval_up_to_a_cap() {
        Duration interval = Duration.ofMillis(200);
        assertThat(RelayOutbox.backoff(1, interval)).isEqualTo(interval);
        assertThat(RelayOutbox.backoff(3, interval)).isEqualTo(Duration.ofMillis(800));
        assertThat(RelayOutbox.backoff(1_000, interval)).isEqualTo(RelayOutbox.MAX_BACKOFF);
    }

    @Test
    void anything_else_blames_neither() {
        assertThat(RelayFailure.of(new IllegalStateException("Relayed outbox rows [1] but marked 0"))).isEqualTo(RelayFailure.OTHER);
        assertThat(RelayFailure.OTHER.warning()).doesNotContain("Redis is back").doesNotContain("PostgreSQL");
    }
}
