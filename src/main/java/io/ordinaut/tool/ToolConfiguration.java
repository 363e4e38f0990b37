package io.ordinaut.tool;

import java.time.Clock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The tool transports a pipeline step calls through. */
@Configuration(proxyBeanMethods = false)
class ToolConfiguration {

    @Bean
    ToolInvoker toolInvoker(Clock clock) {
        return new SimulatedTool(clock);
    }
}
