package dev.mnemo.server;

import dev.mnemo.protocol.Stat;
import dev.mnemo.protocol.StatsSnapshot;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server's metrics at scrape time: reads the same {@link StatsSnapshot} that "stats" prints
 * (general, settings, items, slabs) once, and turns it into memcached_exporter's families
 * ({@link MemcachedMetrics}) and Mnemo's own ({@link MnemoMetrics}), then {@code memcached_up}:
 * 1, or 0 (with nothing else) once the server is stopping or the statistics cannot be read.
 *
 * <p>Runs on the metrics endpoint's thread, never on an event loop: it reads the loops' and the
 * store's counters, which they write without waiting for it. Thread-safe.
 */
final class MetricsCollector implements MultiCollector {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsCollector.class);

    private final MnemoServer server;
    private final StatsSnapshot stats;
    private final List<RequestLatency> latencies;
    private final long itemsAtStart;

    /**
     * @param server       the server whose statistics to read; its request timing is turned on
     * @param stats        the statistics of the server and its store
     * @param itemsAtStart the items the store held when the server started
     */
    MetricsCollector(MnemoServer server, StatsSnapshot stats, long itemsAtStart) {
        this.server = server;
        this.stats = stats;
        this.latencies = server.requestLatencies();
        this.itemsAtStart = itemsAtStart;
        latencies.forEach(RequestLatency::enable);
    }

    @Override
    public MetricSnapshots collect() {
        MetricFamilies families = new MetricFamilies();
        double up = 0;
        if (server.accepting()) {
            try {
                Map<String, String> general = map(stats.general());
                Map<String, String> slabs = map(stats.slabs());
                MemcachedMetrics.add(general, map(stats.settings()), map(stats.items()), slabs, families);
                MnemoMetrics.add(general, slabs, stats.storeStats(), latencies, itemsAtStart, families);
                up = 1;
            } catch (RuntimeException e) {
                // the store closes while a scrape reads it when the server stops at that moment
                LOG.debug("cannot read the statistics: {}", e.toString());
                families = new MetricFamilies();
            }
        }
        families.gauge("memcached_up", "Whether the server answers requests (1) or is stopping (0).", up);
        return families.build();
    }

    private static Map<String, String> map(List<Stat> group) {
        Map<String, String> byName = new LinkedHashMap<>();
        for (Stat stat : group) {
            byName.put(stat.name(), stat.value());
        }
        return byName;
    }
}
