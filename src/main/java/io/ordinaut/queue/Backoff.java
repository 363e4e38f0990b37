package io.ordinaut.queue;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Waits between attempts, by the task's backoff_strategy; {@code attempt} is the number of the attempt
 * that just failed (1 for the first):
 * <ul>
 *   <li>{@code exponential_jitter}: a uniformly random wait in [0, min(cap, base × 2^(attempt−1))]
 *       ("full jitter", so failed runs of many tasks do not come back in step)</li>
 *   <li>{@code linear}: min(cap, base × attempt)</li>
 *   <li>{@code fixed}: min(cap, base)</li>
 * </ul>
 */
final class Backoff {

    private final Duration base;
    private final Duration cap;
    private final DoubleSupplier random;

    /** @param random values in [0, 1); injected so tests can pin the jitter */
    Backoff(Duration base, Duration cap, DoubleSupplier random) {
        this.base = base;
        this.cap = cap;
        this.random = random;
    }

    Duration delay(String strategy, int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt is 1-based, got " + attempt);
        }
        return switch (strategy) {
            case "exponential_jitter" -> {
                Duration ceiling = capped(base.multipliedBy(1L << Math.min(attempt - 1, 30)));
                yield Duration.ofNanos((long) (ceiling.toNanos() * random.getAsDouble()));
            }
            case "linear" -> capped(base.multipliedBy(attempt));
            case "fixed" -> capped(base);
            default -> throw new IllegalArgumentException("unknown backoff_strategy " + strategy);
        };
    }

    private Duration capped(Duration d) {
        return d.compareTo(cap) > 0 ? cap : d;
    }
}
