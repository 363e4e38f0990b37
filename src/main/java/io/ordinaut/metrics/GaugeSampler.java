package io.ordinaut.metrics;

/**
 * Refreshes gauges that need a query (queue depth, cluster size) into {@link OrdinautMetrics}. Beans of
 * this type are run together every {@code ordinaut.metrics.sample-interval} by one duty of the node, so a
 * scrape never costs a query and many scrapers cost nothing more.
 */
@FunctionalInterface
public interface GaugeSampler {

    void sample();
}
