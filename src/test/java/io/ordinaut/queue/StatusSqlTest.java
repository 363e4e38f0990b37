package io.ordinaut.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StatusSqlTest {

    @Test
    void statuses_expand_to_the_enums_literals() {
        assertThat(StatusSql.of("WHERE t.status = {task:active} AND r.status IN ({run:failed}, {run:dead})"))
                .isEqualTo("WHERE t.status = 'active' AND r.status IN ('failed', 'dead')");
    }

    @Test
    void history_column_lists_are_written_once() {
        assertThat(StatusSql.of("INSERT INTO {task_run:not_run}")).isEqualTo("INSERT INTO " + StatusSql.NOT_RUN_COLUMNS);
        assertThat(StatusSql.of("INSERT INTO {task_run:attempt}")).isEqualTo("INSERT INTO " + StatusSql.ATTEMPT_COLUMNS);
    }

    @Test
    void a_name_that_is_not_a_status_fails_when_the_statement_is_built() {
        assertThatThrownBy(() -> StatusSql.of("WHERE status = {run:finished}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StatusSql.of("WHERE status = {task:archived}")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void the_history_check_constraint_names_every_status_a_history_row_can_have() {
        // queued and running live only as due_work rows; 014-status-checks.sql lists the others
        assertThat(RunStatus.values()).extracting(RunStatus::wireName)
                .containsExactlyInAnyOrder("queued", "running", "succeeded", "failed", "dead", "skipped", "canceled");
    }
}
