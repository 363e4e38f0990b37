package io.ordinaut.queue;

import java.util.List;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import io.ordinaut.metrics.GaugeSampler;
import io.ordinaut.metrics.MetricsProperties;

/**
 * Runs every {@link GaugeSampler} of the node on one duty, every {@code ordinaut.metrics.sample-interval},
 * on every node whatever its roles (any node may be scraped). A sampler that fails (the database away)
 * is logged by the duty's guard and the gauges keep their last values.
 */
@Component
class SampleGauges implements SmartLifecycle {

    private final List<GaugeSampler> samplers;
    private final long intervalMs;
    private Duty duty;

    SampleGauges(List<GaugeSampler> samplers, MetricsProperties properties) {
        this.samplers = List.copyOf(samplers);
        this.intervalMs = properties.sampleInterval().toMillis();
    }

    @Override
    public synchronized void start() {
        if (duty == null) {
            duty = new Duty("ordinaut-metrics-sampler", intervalMs, () -> samplers.forEach(GaugeSampler::sample)).start();
        }
    }

    @Override
    public synchronized void stop() {
        if (duty != null) {
            duty.stop();
            duty = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return duty != null;
    }

    /** Stops with the executor, before the DataSource goes away. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1000;
    }
}
