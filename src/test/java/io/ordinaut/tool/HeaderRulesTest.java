package io.ordinaut.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class HeaderRulesTest {

    private static final List<String> OPEN = ToolProperties.DEFAULT_SECRET_ENV_PREFIXES;

    @Test
    void credentials_may_only_be_named_never_given() {
        assertThat(HeaderRules.problem("Authorization", "Bearer ${env:ORDINAUT_TOOL_CRM_TOKEN}", OPEN)).isNull();
        assertThat(HeaderRules.problem("X-Api-Key", "${secret:ORDINAUT_TOOL_CRM_KEY}", OPEN)).isNull();
        assertThat(HeaderRules.problem("X-Tenant", "acme", OPEN)).isNull();
        assertThat(HeaderRules.problem("Authorization", "Bearer abc123", OPEN)).contains("must name them");
        assertThat(HeaderRules.problem("X-Auth-Token", "abc123", OPEN)).contains("must name them");
        assertThat(HeaderRules.problem("Cookie", "session=abc", OPEN)).contains("must name them");
        assertThat(HeaderRules.problem("Authorization", "Bearer ${env:ORDINAUT_TOOL_TOKEN} trailing", OPEN)).contains("must name them");
    }

    @Test
    void references_must_be_well_formed_and_not_reach_the_nodes_own_settings() {
        assertThat(HeaderRules.problem("X-Tenant", "${env:}", OPEN)).contains("malformed");
        assertThat(HeaderRules.problem("X-Tenant", "${vault:x}", OPEN)).contains("malformed");
        assertThat(HeaderRules.problem("X-Db", "${env:ORDINAUT_DB_PASSWORD}", OPEN)).contains("ORDINAUT_DB_PASSWORD");
        assertThat(HeaderRules.problem("X-Cfg", "${env:spring_datasource_password}", OPEN)).contains("may not read");
    }

    @Test
    void only_variables_opened_by_the_secret_env_prefixes_may_be_named() {
        assertThat(HeaderRules.problem("Authorization", "Bearer ${env:ORDINAUT_ADMIN_TOKEN}", OPEN))
                .contains("ORDINAUT_ADMIN_TOKEN").contains("ordinaut.tools.secret-env-prefixes");
        assertThat(HeaderRules.problem("X-Opts", "${env:JAVA_TOOL_OPTIONS}", OPEN)).contains("ordinaut.tools.secret-env-prefixes");
        assertThat(HeaderRules.problem("X-Home", "${secret:HOME}", OPEN)).contains("ordinaut.tools.secret-env-prefixes");
        // the prefix alone, or the settings' own names, are not a variable opened to tools
        assertThat(HeaderRules.problem("X-Key", "${env:ORDINAUT_TOOL_}", OPEN)).contains("may not read");
        assertThat(HeaderRules.problem("X-Key", "${env:ORDINAUT_TOOLS_ALLOW_LOOPBACK}", OPEN)).contains("may not read");
        assertThat(HeaderRules.problem("X-Key", "${env:ordinaut_tool_crm_key}", OPEN)).contains("may not read");
        assertThat(HeaderRules.problem("X-Key", "${env:CRM_KEY}", List.of("CRM_"))).isNull();
    }

    @Test
    void reserved_and_malformed_headers_are_refused() {
        assertThat(HeaderRules.problem("Content-Length", "1", OPEN)).contains("cannot be configured");
        assertThat(HeaderRules.problem("X-Ordinaut-Attempt", "1", OPEN)).contains("cannot be configured");
        assertThat(HeaderRules.problem("X Bad", "1", OPEN)).contains("not a valid header name");
        assertThat(HeaderRules.problem("X-Note", "a\r\nInjected: 1", OPEN)).contains("control character");
    }

    @Test
    void query_parameters_naming_credentials_are_recognised() {
        assertThat(List.of("api_key", "apiKey", "key", "access_token", "client_secret", "sig", "password"))
                .allSatisfy(name -> assertThat(HeaderRules.namesSecretParameter(name)).as(name).isTrue());
        assertThat(List.of("keyword", "author", "city", "monkey", "tokens_used"))
                .allSatisfy(name -> assertThat(HeaderRules.namesSecretParameter(name)).as(name).isFalse());
    }
}
