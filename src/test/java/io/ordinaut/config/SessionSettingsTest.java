package io.ordinaut.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.ordinaut.support.NodeTestSupport;

/**
 * The session settings every connection of a node's pool starts with. Whether PostgreSQL would JIT-compile
 * a statement depends on the plan's cost estimate of the moment, so this checks the setting that rules it
 * out rather than a plan.
 */
class SessionSettingsTest extends NodeTestSupport {

    @Test
    void the_nodes_connections_do_not_jit_compile_their_statements() {
        // PostgreSQL's default is on: it compiles any statement whose plan is estimated above jit_above_cost
        assertThat(jdbc.sql("SELECT current_setting('jit')").query(String.class).single()).isEqualTo("off");
    }
}
