package io.ordinaut.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.Test;

/** The text of a tool error made from a REST twin's error answer. */
class ToolErrorTextTest {

    private static String text(RestTwins.Answer answer) {
        return ((McpSchema.TextContent) OrdinautMcpServer.failure(answer).content().get(0)).text();
    }

    @Test
    void a_rate_limit_says_when_to_retry_once() {
        String text = text(new RestTwins.Answer(429, "1227", Map.of("error", "RateLimited",
                "message", "Agent a-1 exceeded its 100 requests; retry in 1227 s", "details", Map.of("retry_after_seconds", 1227))));

        assertThat(text).isEqualTo("RateLimited (HTTP 429): Agent a-1 exceeded its 100 requests; retry in 1227 s");
    }

    @Test
    void a_retry_after_the_message_does_not_mention_is_added() {
        String text = text(new RestTwins.Answer(503, "5", Map.of("error", "Unavailable", "message", "the node is draining")));

        assertThat(text).isEqualTo("Unavailable (HTTP 503): the node is draining (retry after 5 s)");
    }
}
