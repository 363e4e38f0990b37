package io.ordinaut.event;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Shared state of the event package's parts. */
@Configuration
class EventConfiguration {

    @Bean
    RelayStatus relayStatus() {
        return new RelayStatus();
    }
}
