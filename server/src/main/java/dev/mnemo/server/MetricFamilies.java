package dev.mnemo.server;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The metric families of one scrape, gathered point by point under their exposed names (a
 * counter's name ends in {@code _total}, as Prometheus shows it) and built into the Prometheus
 * client's snapshots in the order they were first named.
 *
 * <p>Not thread-safe: one scrape fills and builds one instance.
 */
final class MetricFamilies {

    private static final String TOTAL = "_total";

    /** Builders by exposed name: {@link CounterSnapshot.Builder} or {@link GaugeSnapshot.Builder}; or a built snapshot. */
    private final Map<String, Object> families = new LinkedHashMap<>();

    /**
     * Adds a point to a counter.
     *
     * @param name        the exposed name, ending in {@code _total}
     * @param help        the family's description (the first one given is kept)
     * @param value       the point's value
     * @param labelPairs  label names and values, alternating
     */
    void counter(String name, String help, double value, String... labelPairs) {
        if (!name.endsWith(TOTAL)) {
            throw new IllegalArgumentException("a counter's name ends in _total: " + name);
        }
        CounterSnapshot.Builder family = (CounterSnapshot.Builder) families.computeIfAbsent(name,
                n -> CounterSnapshot.builder().name(n.substring(0, n.length() - TOTAL.length())).help(help));
        family.dataPoint(CounterDataPointSnapshot.builder().value(value).labels(Labels.of(labelPairs)).build());
    }

    /**
     * Adds a point to a gauge.
     *
     * @param name       the exposed name
     * @param help       the family's description (the first one given is kept)
     * @param value      the point's value
     * @param labelPairs label names and values, alternating
     */
    void gauge(String name, String help, double value, String... labelPairs) {
        GaugeSnapshot.Builder family = (GaugeSnapshot.Builder) families.computeIfAbsent(name,
                n -> GaugeSnapshot.builder().name(n).help(help));
        family.dataPoint(GaugeDataPointSnapshot.builder().value(value).labels(Labels.of(labelPairs)).build());
    }

    /** Adds a family built elsewhere (a histogram). */
    void add(MetricSnapshot snapshot) {
        families.put(snapshot.getMetadata().getPrometheusName(), snapshot);
    }

    /** @return every family gathered */
    MetricSnapshots build() {
        MetricSnapshots.Builder snapshots = MetricSnapshots.builder();
        for (Object family : families.values()) {
            snapshots.metricSnapshot(switch (family) {
                case CounterSnapshot.Builder counter -> counter.build();
                case GaugeSnapshot.Builder gauge -> gauge.build();
                case MetricSnapshot snapshot -> snapshot;
                default -> throw new IllegalStateException(family.toString());
            });
        }
        return snapshots.build();
    }
}
