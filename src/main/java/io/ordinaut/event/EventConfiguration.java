package io.ordinaut.event;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.ordinaut.agent.WebhookDestinations;
import io.ordinaut.tool.ToolCallException;
import io.ordinaut.tool.ToolRouter;

/** Shared state of the event package's parts. */
@Configuration
class EventConfiguration {

    @Bean
    RelayStatus relayStatus() {
        return new RelayStatus();
    }

    /** What DeliverWebhooks will check on each attempt; a host that does not resolve now is let through. */
    @Bean
    WebhookDestinations webhookDestinations(ToolRouter tools) {
        return url -> {
            try {
                tools.checkDestination(url);
            } catch (ToolCallException e) {
                if (!e.retryable()) {
                    throw new IllegalArgumentException(e.getMessage(), e);
                }
            }
        };
    }
}
