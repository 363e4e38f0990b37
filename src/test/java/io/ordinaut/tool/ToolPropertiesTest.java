package io.ordinaut.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.ordinaut.config.InvalidSettingException;

class ToolPropertiesTest {

    @Test
    void defaults_open_only_ordinaut_tool_variables_and_refuse_loopback() {
        ToolProperties defaults = ToolProperties.defaults();

        assertThat(defaults.secretEnvPrefixes()).containsExactly("ORDINAUT_TOOL_");
        assertThat(defaults.allowLoopback()).isFalse();
        assertThat(defaults.egress().allowLoopback()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ORDINAUT_", "ORDINAUT_ADMIN", "ORDINAUT_DB_PASS", "SPRING_", "SPRING_DATASOURCE_", "JAVA_",
            "X", "ABC", "1BAD", "A-B-C"})
    void a_prefix_that_would_open_the_nodes_own_settings_or_most_of_the_environment_stops_the_node(String prefix) {
        assertThatThrownBy(() -> new ToolProperties(null, null, null, null, null, null, null, null, List.of(prefix), null, null))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("ordinaut.tools.secret-env-prefixes");
    }

    @Test
    void a_prefix_of_the_tools_own_is_accepted() {
        ToolProperties properties = new ToolProperties(null, null, null, null, null, null, null, null,
                List.of("ORDINAUT_TOOL_", "CRM_"), null, null);

        assertThat(properties.secretEnvPrefixes()).containsExactly("ORDINAUT_TOOL_", "CRM_");
    }
}
