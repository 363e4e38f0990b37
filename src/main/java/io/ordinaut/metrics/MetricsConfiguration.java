package io.ordinaut.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Ordinaut's meters, registered once in the node's registry (Spring Boot's, which /actuator/prometheus serves). */
@Configuration(proxyBeanMethods = false)
class MetricsConfiguration {

    @Bean
    OrdinautMetrics ordinautMetrics(MeterRegistry registry) {
        return new OrdinautMetrics(registry);
    }
}
