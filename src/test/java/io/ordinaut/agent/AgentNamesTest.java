package io.ordinaut.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.ordinaut.support.Api.Response;
import io.ordinaut.support.NodeTestSupport;

/** Agent names hold letters of any script, and the name filter is a plain substring: % and _ match themselves. */
class AgentNamesTest extends NodeTestSupport {

    private List<String> names(String filter) {
        return api.get("/agents?limit=200&name_filter=" + URLEncoder.encode(filter, StandardCharsets.UTF_8)).expect(200).items()
                .stream().map(a -> (String) a.get("name")).toList();
    }

    @Test
    void name_filter_is_a_substring_in_which_like_wildcards_match_themselves() {
        api.post("/agents", Map.of("name", "briefing-bot")).expect(201);
        api.post("/agents", Map.of("name", "b_t.keeper")).expect(201);

        assertThat(names("%")).isEmpty();
        assertThat(names("b_t")).containsExactly("b_t.keeper");
        assertThat(names("\\")).isEmpty();
        assertThat(names("ing-b")).containsExactly("briefing-bot");
        assertThat(names("BRIEF")).containsExactly("briefing-bot");
        assertThat(api.get("/agents?name_filter=%25").expect(200).get("total")).isEqualTo(0);
    }

    @Test
    void the_audit_action_filter_is_a_substring_too() {
        api.post("/agents", Map.of("name", "audited")).expect(201);
        Response all = api.get("/audit?action=" + URLEncoder.encode("%", StandardCharsets.UTF_8)).expect(200);
        assertThat(all.get("total")).isEqualTo(0);
        assertThat((Integer) api.get("/audit?action=POST%20%2Fagents").expect(200).get("total")).isPositive();
    }

    @Test
    void a_name_may_hold_letters_and_digits_of_any_script() {
        for (String name : List.of("bót", "Ünïcode-агент", "机器人 7", "bot٣")) {
            Response created = api.post("/agents", Map.of("name", name)).expect(201);
            assertThat(created.get("name")).isEqualTo(name);
            assertThat(names(name)).containsExactly(name);
        }
        // a name typed with a combining accent is the same name as the precomposed one
        Response decomposed = api.post("/agents", Map.of("name", "jose\u0301"));
        assertThat(decomposed.expect(201).get("name")).isEqualTo("jos\u00e9");
        assertThat(api.post("/agents", Map.of("name", "jos\u00e9")).status()).isEqualTo(409);
        for (String name : List.of("-bot", "bot\u200b", "bot\u202e", "bot!", "😀bot", "bot\tbot", "\u0301bot")) {
            Response refused = api.post("/agents", Map.of("name", name));
            assertThat(refused.status()).as(name).isEqualTo(400);
            assertThat(refused.details()).containsEntry("field", "name");
        }
    }
}
