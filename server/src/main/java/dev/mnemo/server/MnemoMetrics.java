package dev.mnemo.server;

import dev.mnemo.store.StoreStats;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.Unit;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What memcached's statistics cannot tell, under the {@code mnemo_} prefix: request latency
 * histograms per command family (summed over the event loops' {@link RequestLatency}), the get
 * hit ratio, the item count found at start (warm restart), the items dropped as damaged, and the off-heap memory: the store's
 * segments and index, and the direct memory of Netty's buffer allocator. The JVM's own metrics
 * (heap, GC, threads, resident memory) come from the Prometheus client's JVM module
 * ({@link MetricsEndpoint}).
 *
 * <p>Co-located operations are not shown: the store counts every process's operations in the
 * same shared counters, and cannot tell which process ran one.
 *
 * <p>Stateless.
 */
final class MnemoMetrics {

    private static final double[] BOUNDS_SECONDS = boundsSeconds();

    private MnemoMetrics() {
    }

    /**
     * @param stats        "stats": name to value
     * @param slabs        "stats slabs": name to value
     * @param store        the store's counters (its segment count and size)
     * @param latencies    every event loop's histograms
     * @param itemsAtStart the items the store held when the server started (0 without a memory file)
     * @param out          where to add the families
     */
    static void add(Map<String, String> stats, Map<String, String> slabs, StoreStats store, List<RequestLatency> latencies,
                    long itemsAtStart, MetricFamilies out) {
        out.add(latencyHistogram(latencies));
        double hits = Double.parseDouble(stats.get("get_hits"));
        double misses = Double.parseDouble(stats.get("get_misses"));
        out.gauge("mnemo_hit_ratio", "get_hits / (get_hits + get_misses) since start or stats reset; NaN before the first get.",
                hits / (hits + misses));
        out.gauge("mnemo_warm_restart_items", "Items the memory file (-e) held when the server started; 0 without one.",
                itemsAtStart);
        out.gauge("mnemo_store_segments_bytes", "Off-heap memory of the store's segments, in bytes.",
                (double) store.segmentsTotal() * store.segmentSize());
        out.gauge("mnemo_store_segments_used_bytes", "Off-heap memory of the segments holding items, in bytes.",
                Double.parseDouble(slabs.get("total_malloced")));
        out.gauge("mnemo_store_index_bytes", "Off-heap memory of the store's hash index, in bytes (stats hash_bytes).",
                Double.parseDouble(stats.get("hash_bytes")));
        out.counter("mnemo_items_bad_checksum_total",
                "Items dropped because their CRC32C did not match their bytes (a damaged memory file), never served.",
                store.badcrcFromMemoryFile());
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider allocator) {
            out.gauge("mnemo_netty_direct_memory_bytes", "Direct memory held by Netty's buffer allocator (connection buffers), in bytes.",
                    allocator.metric().usedDirectMemory());
        }
    }

    /** @return {@code mnemo_request_duration_seconds}, one histogram per family */
    private static HistogramSnapshot latencyHistogram(List<RequestLatency> latencies) {
        int families = CommandFamily.ALL.length;
        long[] counts = new long[families * RequestLatency.BUCKETS];
        long[] nanos = new long[families];
        for (RequestLatency latency : latencies) {
            latency.addTo(counts, nanos);
        }
        HistogramSnapshot.Builder histogram = HistogramSnapshot.builder()
                .name("mnemo_request_duration_seconds")
                .unit(Unit.SECONDS)
                .help("Time a request takes to execute on its event loop (parse, store, reply), by command family.");
        for (CommandFamily family : CommandFamily.ALL) {
            int from = family.ordinal() * RequestLatency.BUCKETS;
            long[] perBucket = Arrays.copyOfRange(counts, from, from + RequestLatency.BUCKETS); // the client sums them up
            histogram.dataPoint(HistogramDataPointSnapshot.builder()
                    .labels(Labels.of("family", family.label()))
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(BOUNDS_SECONDS, perBucket))
                    .sum(Unit.nanosToSeconds(nanos[family.ordinal()]))
                    .build());
        }
        return histogram.build();
    }

    private static double[] boundsSeconds() {
        double[] bounds = new double[RequestLatency.BUCKETS];
        for (int i = 0; i < RequestLatency.BOUNDS_NANOS.length; i++) {
            bounds[i] = Unit.nanosToSeconds(RequestLatency.BOUNDS_NANOS[i]);
        }
        bounds[RequestLatency.BUCKETS - 1] = Double.POSITIVE_INFINITY;
        return bounds;
    }
}
