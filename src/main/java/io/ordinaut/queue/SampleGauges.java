package io.ordinaut.queue;

import java.util.List;

import org.springframework.stereotype.Component;

import io.ordinaut.metrics.GaugeSampler;
import io.ordinaut.metrics.MetricsProperties;

/**
 * Runs every {@link GaugeSampler} of the node on one duty, every {@code ordinaut.metrics.sample-interval},
 * on every node whatever its roles (any node may be scraped). A sampler that fails (the database away)
 * is logged by the duty's guard and the gauges keep their last values.
 */
@Component
class SampleGauges extends PeriodicDuty {

    private final List<GaugeSampler> samplers;

    SampleGauges(List<GaugeSampler> samplers, MetricsProperties properties) {
        super("ordinaut-metrics-sampler", properties.sampleInterval().toMillis());
        this.samplers = List.copyOf(samplers);
    }

    @Override
    protected void round() {
        samplers.forEach(GaugeSampler::sample);
    }
}
