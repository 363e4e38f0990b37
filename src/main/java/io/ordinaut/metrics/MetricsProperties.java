package io.ordinaut.metrics;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

import io.ordinaut.config.Setting;

/**
 * ordinaut.metrics.*: Ordinaut's own metrics (served with the JVM's and Spring's at /actuator/prometheus).
 *
 * @param sampleInterval how often the gauges that need a query (queue depth and age, cluster size, nodes)
 *                       are refreshed (default 5 s, at least 100 ms); scrapes read the cached values
 */
@ConfigurationProperties("ordinaut.metrics")
public record MetricsProperties(Duration sampleInterval) {

    public static final Duration DEFAULT_SAMPLE_INTERVAL = Duration.ofSeconds(5);

    public MetricsProperties {
        sampleInterval = Setting.atLeast("ordinaut.metrics.sample-interval", sampleInterval, DEFAULT_SAMPLE_INTERVAL, Duration.ofMillis(100));
    }
}
