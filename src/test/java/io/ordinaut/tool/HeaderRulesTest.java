package io.ordinaut.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class HeaderRulesTest {

    private static final List<String> DENIED = ToolProperties.DEFAULT_DENIED_ENV_PREFIXES;

    @Test
    void credentials_may_only_be_named_never_given() {
        assertThat(HeaderRules.problem("Authorization", "Bearer ${env:CRM_TOKEN}", DENIED)).isNull();
        assertThat(HeaderRules.problem("X-Api-Key", "${secret:CRM_KEY}", DENIED)).isNull();
        assertThat(HeaderRules.problem("X-Tenant", "acme", DENIED)).isNull();
        assertThat(HeaderRules.problem("Authorization", "Bearer abc123", DENIED)).contains("must name them");
        assertThat(HeaderRules.problem("X-Auth-Token", "abc123", DENIED)).contains("must name them");
        assertThat(HeaderRules.problem("Cookie", "session=abc", DENIED)).contains("must name them");
        assertThat(HeaderRules.problem("Authorization", "Bearer ${env:TOKEN} trailing", DENIED)).contains("must name them");
    }

    @Test
    void references_must_be_well_formed_and_not_reach_the_nodes_own_settings() {
        assertThat(HeaderRules.problem("X-Tenant", "${env:}", DENIED)).contains("malformed");
        assertThat(HeaderRules.problem("X-Tenant", "${vault:x}", DENIED)).contains("malformed");
        assertThat(HeaderRules.problem("X-Db", "${env:ORDINAUT_DB_PASSWORD}", DENIED)).contains("ORDINAUT_DB_PASSWORD");
        assertThat(HeaderRules.problem("X-Cfg", "${env:spring_datasource_password}", DENIED)).contains("may not read");
    }

    @Test
    void reserved_and_malformed_headers_are_refused() {
        assertThat(HeaderRules.problem("Content-Length", "1", DENIED)).contains("cannot be configured");
        assertThat(HeaderRules.problem("X-Ordinaut-Attempt", "1", DENIED)).contains("cannot be configured");
        assertThat(HeaderRules.problem("X Bad", "1", DENIED)).contains("not a valid header name");
        assertThat(HeaderRules.problem("X-Note", "a\r\nInjected: 1", DENIED)).contains("control character");
    }

    @Test
    void query_parameters_naming_credentials_are_recognised() {
        assertThat(List.of("api_key", "apiKey", "key", "access_token", "client_secret", "sig", "password"))
                .allSatisfy(name -> assertThat(HeaderRules.namesSecretParameter(name)).as(name).isTrue());
        assertThat(List.of("keyword", "author", "city", "monkey", "tokens_used"))
                .allSatisfy(name -> assertThat(HeaderRules.namesSecretParameter(name)).as(name).isFalse());
    }
}
