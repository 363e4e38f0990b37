package io.ordinaut.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ordinaut.metrics.OrdinautMetrics;

/**
 * The executor's statement timings: every statement is recorded under its name, failed ones included, and a
 * slow one is logged — once for a stretch of them, not once each. "Slow" is set to zero or an hour here, so
 * nothing depends on how fast this machine is.
 */
class StatementTimerTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final OrdinautMetrics metrics = new OrdinautMetrics(registry);
    private final Logger logger = (Logger) LoggerFactory.getLogger(StatementTimer.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void capture() {
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logged);
    }

    @Test
    void every_statement_is_recorded_under_its_name_and_a_fast_one_is_not_logged() {
        StatementTimer claim = new StatementTimer("claim", metrics, Duration.ofHours(1));

        assertThat(claim.time(200, () -> List.of(1, 2, 3))).containsExactly(1, 2, 3);
        claim.time(200, () -> 0);

        assertThat(timer("claim").count()).isEqualTo(2);
        assertThat(timer("finish").count()).isZero();
        assertThat(timer("renew").count()).isZero();
        assertThat(logged.list).isEmpty();
    }

    @Test
    void a_failed_statement_is_timed_but_not_reported_slow_and_its_exception_reaches_the_caller() {
        StatementTimer finish = new StatementTimer("finish", metrics, Duration.ZERO);

        assertThatThrownBy(() -> finish.time(50, () -> {
            throw new IllegalStateException("connection lost");
        })).isInstanceOf(IllegalStateException.class).hasMessage("connection lost");

        assertThat(timer("finish").count()).isEqualTo(1);
        assertThat(logged.list).as("an outage is the caller's to report, not a slow statement").isEmpty();
    }

    @Test
    void a_stretch_of_slow_statements_is_one_warning_naming_the_statement_and_its_runs() {
        StatementTimer renew = new StatementTimer("renew", metrics, Duration.ZERO);

        renew.time(1444, () -> 1);
        renew.time(10, () -> 2);
        renew.time(10, () -> 3);

        assertThat(timer("renew").count()).isEqualTo(3);
        assertThat(logged.list).hasSize(1);
        ILoggingEvent warning = logged.list.get(0);
        assertThat(warning.getLevel()).isEqualTo(Level.WARN);
        assertThat(warning.getFormattedMessage())
                .startsWith("A renew statement for 1444 runs took ")
                .contains("; 1 renew statement(s) took 0 ms or more since this node's last such warning.")
                .contains("Slow queue statements");
    }

    @Test
    void an_unknown_statement_name_is_refused_rather_than_dropped() {
        StatementTimer typo = new StatementTimer("claims", metrics, Duration.ofHours(1));

        assertThatThrownBy(() -> typo.time(1, () -> 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("claims").hasMessageContaining("claim, finish, renew");
    }

    private Timer timer(String statement) {
        return registry.get("ordinaut.queue.statement.duration").tag("statement", statement).timer();
    }
}
