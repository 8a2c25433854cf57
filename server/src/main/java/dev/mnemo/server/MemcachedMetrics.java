package dev.mnemo.server;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * memcached's statistics under the names, labels and label values memcached_exporter
 * (prometheus/memcached_exporter, {@code pkg/exporter/exporter.go}) gives them, so that
 * dashboards and alerts written for memcached work unchanged: what the exporter derives from
 * "stats", "stats settings" and "stats items" is derived here the same way from the same
 * figures (e.g. {@code memcached_commands_total{command="set",status="hit"}} is cmd_set minus
 * the three cas counters). The per-slab-class "stats slabs" families, which the exporter
 * collects only with {@code --enable.slab}, are left out, as are the extstore and proxy
 * families memcached itself shows only in those modes.
 *
 * <p>One difference of form: a family the exporter declares a counter without a {@code _total}
 * suffix ({@code memcached_uptime_seconds}, {@code memcached_slab_items_evicted_time_seconds},
 * {@code memcached_slab_mem_requested_bytes}, {@code memcached_slab_items_moves_*}) is a gauge
 * here, because the Prometheus Java client exposes every counter with {@code _total}; the name
 * and value are the exporter's.
 *
 * <p>Stateless.
 */
final class MemcachedMetrics {

    /** The commands with {@code <command>_hits} and {@code <command>_misses} counters, in the exporter's order. */
    private static final String[] HIT_MISS_COMMANDS = {"get", "delete", "incr", "decr", "cas", "touch"};

    /** "stats" counters and the exporter's names for them. */
    private static final Map<String, String> COUNTERS = new LinkedHashMap<>();
    /** "stats" gauges and the exporter's names for them. */
    private static final Map<String, String> GAUGES = new LinkedHashMap<>();
    /** "stats items" counters (per slab class) and the exporter's names for them. */
    private static final Map<String, String> ITEM_COUNTERS = new LinkedHashMap<>();
    /** "stats items" gauges (per slab class) and the exporter's names for them. */
    private static final Map<String, String> ITEM_GAUGES = new LinkedHashMap<>();
    /** "stats items" LRU hit counters and the exporter's {@code lru} label values. */
    private static final Map<String, String> LRU_HITS = new LinkedHashMap<>();

    static {
        COUNTERS.put("rusage_user", "memcached_process_user_cpu_seconds_total");
        COUNTERS.put("rusage_system", "memcached_process_system_cpu_seconds_total");
        GAUGES.put("bytes", "memcached_current_bytes");
        GAUGES.put("limit_maxbytes", "memcached_limit_bytes");
        GAUGES.put("curr_items", "memcached_current_items");
        COUNTERS.put("total_items", "memcached_items_total");
        COUNTERS.put("bytes_read", "memcached_read_bytes_total");
        COUNTERS.put("bytes_written", "memcached_written_bytes_total");
        GAUGES.put("curr_connections", "memcached_current_connections");
        COUNTERS.put("total_connections", "memcached_connections_total");
        COUNTERS.put("rejected_connections", "memcached_connections_rejected_total");
        COUNTERS.put("conn_yields", "memcached_connections_yielded_total");
        COUNTERS.put("listen_disabled_num", "memcached_connections_listener_disabled_total");
        COUNTERS.put("evictions", "memcached_items_evicted_total");
        COUNTERS.put("reclaimed", "memcached_items_reclaimed_total");
        COUNTERS.put("store_too_large", "memcached_item_too_large_total");
        COUNTERS.put("store_no_memory", "memcached_item_no_memory_total");
        COUNTERS.put("lru_crawler_starts", "memcached_lru_crawler_starts_total");
        COUNTERS.put("direct_reclaims", "memcached_direct_reclaims_total");
        COUNTERS.put("crawler_items_checked", "memcached_lru_crawler_items_checked_total");
        COUNTERS.put("crawler_reclaimed", "memcached_lru_crawler_reclaimed_total");
        COUNTERS.put("moves_to_cold", "memcached_lru_crawler_moves_to_cold_total");
        COUNTERS.put("moves_to_warm", "memcached_lru_crawler_moves_to_warm_total");
        COUNTERS.put("moves_within_lru", "memcached_lru_crawler_moves_within_lru_total");
        GAUGES.put("total_malloced", "memcached_malloced_bytes");
        GAUGES.put("accepting_conns", "memcached_accepting_connections");

        ITEM_GAUGES.put("number", "memcached_slab_current_items");
        ITEM_GAUGES.put("age", "memcached_slab_items_age_seconds");
        ITEM_COUNTERS.put("crawler_reclaimed", "memcached_slab_items_crawler_reclaimed_total");
        ITEM_COUNTERS.put("evicted", "memcached_slab_items_evicted_total");
        ITEM_COUNTERS.put("evicted_nonzero", "memcached_slab_items_evicted_nonzero_total");
        ITEM_GAUGES.put("evicted_time", "memcached_slab_items_evicted_time_seconds");
        ITEM_COUNTERS.put("evicted_unfetched", "memcached_slab_items_evicted_unfetched_total");
        ITEM_COUNTERS.put("expired_unfetched", "memcached_slab_items_expired_unfetched_total");
        ITEM_COUNTERS.put("outofmemory", "memcached_slab_items_outofmemory_total");
        ITEM_COUNTERS.put("reclaimed", "memcached_slab_items_reclaimed_total");
        ITEM_COUNTERS.put("tailrepairs", "memcached_slab_items_tailrepairs_total");
        ITEM_GAUGES.put("mem_requested", "memcached_slab_mem_requested_bytes");
        ITEM_GAUGES.put("moves_to_cold", "memcached_slab_items_moves_to_cold");
        ITEM_GAUGES.put("moves_to_warm", "memcached_slab_items_moves_to_warm");
        ITEM_GAUGES.put("moves_within_lru", "memcached_slab_items_moves_within_lru");
        ITEM_GAUGES.put("number_hot", "memcached_slab_hot_items");
        ITEM_GAUGES.put("number_warm", "memcached_slab_warm_items");
        ITEM_GAUGES.put("number_cold", "memcached_slab_cold_items");
        ITEM_GAUGES.put("number_temp", "memcached_slab_temporary_items");
        ITEM_GAUGES.put("age_hot", "memcached_slab_hot_age_seconds");
        ITEM_GAUGES.put("age_warm", "memcached_slab_warm_age_seconds");
        LRU_HITS.put("hits_to_hot", "hot");
        LRU_HITS.put("hits_to_warm", "warm");
        LRU_HITS.put("hits_to_cold", "cold");
        LRU_HITS.put("hits_to_temp", "temporary");
    }

    private MemcachedMetrics() {
    }

    /**
     * Adds the exporter's families, except {@code memcached_up}, which the caller adds last.
     *
     * @param stats    "stats": name to value
     * @param settings "stats settings": name to value
     * @param items    "stats items": {@code items:<class>:<name>} to value
     * @param slabs    "stats slabs": name to value (only {@code total_malloced} is read, which
     *                 memcached_exporter's client finds there too)
     * @param out      where to add them
     */
    static void add(Map<String, String> stats, Map<String, String> settings, Map<String, String> items,
                    Map<String, String> slabs, MetricFamilies out) {
        out.gauge("memcached_version", "The version of this memcached server.", 1, "version", stats.get("version"));
        String commands = "memcached_commands_total";
        String commandsHelp = "Requests by command and status (stats <command>_hits, _misses, cas_badval, cmd_flush, cmd_set).";
        for (String command : HIT_MISS_COMMANDS) {
            out.counter(commands, commandsHelp, number(stats, command + "_hits"), "command", command, "status", "hit");
            out.counter(commands, commandsHelp, number(stats, command + "_misses"), "command", command, "status", "miss");
        }
        out.gauge("memcached_uptime_seconds", "Seconds since the server started (stats uptime).", number(stats, "uptime"));
        out.gauge("memcached_time_seconds", "The server's Unix time (stats time).", number(stats, "time"));
        out.counter(commands, commandsHelp, number(stats, "cas_badval"), "command", "cas", "status", "badval");
        out.counter(commands, commandsHelp, number(stats, "cmd_flush"), "command", "flush", "status", "hit");
        // as the exporter: cmd_set counts cas commands too, which have their own lines above
        double sets = number(stats, "cmd_set")
                - number(stats, "cas_misses") - number(stats, "cas_hits") - number(stats, "cas_badval");
        out.counter(commands, commandsHelp, sets, "command", "set", "status", "hit");

        Map<String, String> general = new LinkedHashMap<>(stats);
        if (slabs.containsKey("total_malloced")) {
            general.put("total_malloced", slabs.get("total_malloced"));
        }
        for (Map.Entry<String, String> stat : COUNTERS.entrySet()) {
            if (general.containsKey(stat.getKey())) {
                out.counter(stat.getValue(), help(stat.getKey()), number(general, stat.getKey()));
            }
        }
        for (Map.Entry<String, String> stat : GAUGES.entrySet()) {
            if (general.containsKey(stat.getKey())) {
                out.gauge(stat.getValue(), help(stat.getKey()), number(general, stat.getKey()));
            }
        }
        out.gauge("memcached_max_connections", "Most simultaneous connections allowed (stats settings maxconns).",
                number(settings, "maxconns"));
        // lru_crawler settings: the exporter adds them only when lru_crawler is "yes", which Mnemo never says
        addItems(items, out);
    }

    /** "stats items": one set of families per slab class (Mnemo has one, class 1), labelled {@code slab}. */
    private static void addItems(Map<String, String> items, MetricFamilies out) {
        for (Map.Entry<String, String> item : items.entrySet()) {
            String[] parts = item.getKey().split(":", 3); // items:<class>:<name>
            if (parts.length != 3) {
                continue;
            }
            String slab = parts[1];
            String name = parts[2];
            double value = Double.parseDouble(item.getValue());
            if (ITEM_COUNTERS.containsKey(name)) {
                out.counter(ITEM_COUNTERS.get(name), help("items " + name), value, "slab", slab);
            } else if (ITEM_GAUGES.containsKey(name)) {
                out.gauge(ITEM_GAUGES.get(name), help("items " + name), value, "slab", slab);
            } else if (LRU_HITS.containsKey(name)) {
                out.counter("memcached_slab_lru_hits_total", help("items hits_to_<lru>"), value,
                        "slab", slab, "lru", LRU_HITS.get(name));
            }
        }
    }

    private static String help(String stat) {
        return "memcached's stats " + stat + ".";
    }

    /** @return the statistic's value; 0 if the group does not have it */
    private static double number(Map<String, String> group, String name) {
        String value = group.get(name);
        return value == null ? 0 : Double.parseDouble(value);
    }
}
