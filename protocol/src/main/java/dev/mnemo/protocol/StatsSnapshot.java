package dev.mnemo.protocol;

import dev.mnemo.store.Store;
import dev.mnemo.store.StoreStats;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * memcached's statistics, group by group (protocol.txt "Statistics"), as lists of (name, value)
 * built from the store's {@link StoreStats} and the server's counters ({@link ServerContext}):
 * the one source that the text "stats" reply ({@link TextStats}), the binary STAT responses
 * ({@link BinaryStats}) and any other rendering (a metrics endpoint) print. Names and order are
 * memcached 1.6.18's; fields with no meaning for Mnemo's segment store carry the figure
 * documented in docs/STATS.md.
 *
 * <p>Each call reads the counters afresh and allocates its list (stats are not a hot path).
 * Thread-safe as far as the store and server context it reads are.
 */
public final class StatsSnapshot {

    /** memcached 1.6.18's ssl_* "stats settings" lines without -Z or -o ssl_*, for a server that gives none. */
    private static final List<Map.Entry<String, String>> TLS_OFF = List.of(Map.entry("ssl_enabled", "no"),
            Map.entry("ssl_chain_cert", "(null)"), Map.entry("ssl_key", "(null)"), Map.entry("ssl_verify_mode", "0"),
            Map.entry("ssl_keyformat", "1"), Map.entry("ssl_ciphers", "NULL"), Map.entry("ssl_ca_cert", "NULL"),
            Map.entry("ssl_wbuf_size", "16384"), Map.entry("ssl_session_cache", "no"),
            Map.entry("ssl_kernel_tls", "no"), Map.entry("ssl_min_version", "tlsv1.2"));

    /** Linux's USER_HZ: the unit of utime and stime in /proc/self/stat. */
    private static final long CLOCK_TICKS_PER_SECOND = 100;
    private static final Path PROC_SELF_STAT = Path.of("/proc/self/stat");
    private static final long PID = ProcessHandle.current().pid();
    private static final String NETTY = "netty-" + nettyVersion();

    private final Store store;
    private final ServerContext server;

    /**
     * @param store  the store whose counters to read
     * @param server the server whose counters and settings to read
     */
    public StatsSnapshot(Store store, ServerContext server) {
        this.store = store;
        this.server = server;
    }

    /**
     * @param group a group that lists statistics (not {@link StatsGroup#RESET},
     *              {@link StatsGroup#DETAIL} or {@link StatsGroup#UNKNOWN})
     * @return its statistics
     */
    List<Stat> of(StatsGroup group) {
        return switch (group) {
            case GENERAL -> general();
            case SETTINGS -> settings();
            case ITEMS -> items();
            case SLABS -> slabs();
            case SIZES -> List.of(Stat.text("sizes_status", "disabled"));
            case CONNS -> conns();
            default -> throw new IllegalArgumentException(group + " lists no statistics");
        };
    }

    /** "stats reset": zeroes the store's counters and the server's (memcached's reset set). */
    public void reset() {
        store.resetStats();
        server.resetStats();
        server.prefixStats().clear();
    }

    /** @return the general-purpose statistics (protocol.txt "General-purpose statistics"), in memcached 1.6.18's order */
    public List<Stat> general() {
        List<Stat> stats = new ArrayList<>(96);
        StoreStats s = store.stats();
        long[] cpuMicros = cpuMicros();
        number(stats, "pid", PID);
        number(stats, "uptime", server.uptimeSeconds());
        number(stats, "time", store.nowSeconds());
        text(stats, "version", TextProtocol.VERSION);
        text(stats, "libevent", NETTY);
        number(stats, "pointer_size", 64);
        text(stats, "rusage_user", seconds(cpuMicros[0]));
        text(stats, "rusage_system", seconds(cpuMicros[1]));
        number(stats, "max_connections", server.settings().maxConnections());
        number(stats, "curr_connections", server.currentConnections());
        number(stats, "total_connections", server.totalConnections());
        number(stats, "rejected_connections", server.rejectedConnections());
        number(stats, "connection_structures", server.currentConnections());
        number(stats, "response_obj_oom", 0);
        number(stats, "response_obj_count", 0);
        number(stats, "response_obj_bytes", 0);
        number(stats, "read_buf_count", 0);
        number(stats, "read_buf_bytes", 0);
        number(stats, "read_buf_bytes_free", 0);
        number(stats, "read_buf_oom", 0);
        number(stats, "reserved_fds", 0);
        number(stats, "cmd_get", s.cmdGet());
        number(stats, "cmd_set", s.cmdSet());
        number(stats, "cmd_flush", s.cmdFlush());
        number(stats, "cmd_touch", s.cmdTouch());
        number(stats, "cmd_meta", store.meta().debugCommands());
        number(stats, "get_hits", s.getHits());
        number(stats, "get_misses", s.getMisses());
        number(stats, "get_expired", s.getExpired());
        number(stats, "get_flushed", s.getFlushed());
        if (store.memoryFile() != null) { // where memcached puts badcrc_from_extstore, shown with its external storage
            number(stats, "badcrc_from_memory_file", s.badcrcFromMemoryFile());
        }
        number(stats, "delete_misses", s.deleteMisses());
        number(stats, "delete_hits", s.deleteHits());
        number(stats, "incr_misses", s.incrMisses());
        number(stats, "incr_hits", s.incrHits());
        number(stats, "decr_misses", s.decrMisses());
        number(stats, "decr_hits", s.decrHits());
        number(stats, "cas_misses", s.casMisses());
        number(stats, "cas_hits", s.casHits());
        number(stats, "cas_badval", s.casBadval());
        number(stats, "touch_hits", s.touchHits());
        number(stats, "touch_misses", s.touchMisses());
        number(stats, "store_too_large", s.storeTooLarge());
        number(stats, "store_no_memory", s.storeNoMemory());
        AuthFile auth = server.authFile();
        number(stats, "auth_cmds", auth == null ? 0 : auth.authCmds());
        number(stats, "auth_errors", auth == null ? 0 : auth.authErrors());
        if (server.idleTimeoutSeconds() != 0) { // memcached shows idle_kicks only with an idle_timeout
            number(stats, "idle_kicks", server.idleKicks());
        }
        number(stats, "bytes_read", server.bytesRead());
        number(stats, "bytes_written", server.bytesWritten());
        number(stats, "limit_maxbytes", s.limitMaxbytes());
        number(stats, "accepting_conns", 1);
        number(stats, "listen_disabled_num", 0);
        number(stats, "time_in_listen_disabled_us", 0);
        number(stats, "threads", server.settings().threads());
        number(stats, "conn_yields", server.connectionsThrottled());
        number(stats, "hash_power_level", s.hashPowerLevel());
        number(stats, "hash_bytes", s.hashBytes());
        number(stats, "hash_is_expanding", 0);
        number(stats, "slab_reassign_rescues", 0);
        number(stats, "slab_reassign_chunk_rescues", 0);
        number(stats, "slab_reassign_evictions_nomem", 0);
        number(stats, "slab_reassign_inline_reclaim", 0);
        number(stats, "slab_reassign_busy_items", 0);
        number(stats, "slab_reassign_busy_deletes", 0);
        number(stats, "slab_reassign_running", 0);
        number(stats, "slabs_moved", 0);
        number(stats, "lru_crawler_running", 0);
        number(stats, "lru_crawler_starts", 0);
        number(stats, "lru_maintainer_juggles", 0);
        number(stats, "malloc_fails", 0);
        number(stats, "log_worker_dropped", 0);
        number(stats, "log_worker_written", 0);
        number(stats, "log_watcher_skipped", server.watchLog().skipped());
        number(stats, "log_watcher_sent", server.watchLog().sent());
        number(stats, "log_watchers", server.watchLog().watchers());
        server.tlsStats().forEach(line -> text(stats, line.getKey(), line.getValue()));
        number(stats, "unexpected_napi_ids", 0);
        number(stats, "round_robin_fallback", 0);
        number(stats, "bytes", s.bytes());
        number(stats, "curr_items", s.currItems());
        number(stats, "total_items", s.totalItems());
        number(stats, "slab_global_page_pool", 0);
        number(stats, "expired_unfetched", s.expiredUnfetched());
        number(stats, "evicted_unfetched", s.evictedUnfetched());
        number(stats, "evicted_active", 0);
        number(stats, "evictions", s.evictions());
        number(stats, "reclaimed", s.reclaimed());
        number(stats, "crawler_reclaimed", 0);
        number(stats, "crawler_items_checked", 0);
        number(stats, "lrutail_reflocked", 0);
        number(stats, "moves_to_cold", 0);
        number(stats, "moves_to_warm", 0);
        number(stats, "moves_within_lru", 0);
        number(stats, "direct_reclaims", 0);
        number(stats, "lru_bumps_dropped", 0);
        return stats;
    }

    /** @return "stats settings": the server's settings under memcached's names */
    public List<Stat> settings() {
        List<Stat> stats = new ArrayList<>(96);
        Settings settings = server.settings();
        number(stats, "maxbytes", store.stats().limitMaxbytes());
        number(stats, "maxconns", settings.maxConnections());
        number(stats, "tcpport", settings.tcpPort());
        number(stats, "udpport", settings.udpPort());
        text(stats, "inter", settings.listenAddress() == null ? "NULL" : settings.listenAddress());
        number(stats, "verbosity", server.verbosity());
        number(stats, "oldest", 0);
        text(stats, "evictions", "on");
        text(stats, "domain_socket", "NULL");
        number(stats, "umask", 700);
        text(stats, "shutdown_command", settings.shutdownEnabled() ? "yes" : "no");
        text(stats, "growth_factor", "1.00");
        number(stats, "chunk_size", 0);
        number(stats, "num_threads", settings.threads());
        number(stats, "num_threads_per_udp", settings.threads());
        text(stats, "stat_key_prefix", String.valueOf((char) (server.prefixStats().delimiter() & 0xFF)));
        text(stats, "detail_enabled", server.prefixStats().enabled() ? "yes" : "no");
        number(stats, "reqs_per_event", 0);
        text(stats, "cas_enabled", settings.casEnabled() ? "yes" : "no");
        number(stats, "tcp_backlog", 0);
        text(stats, "binding_protocol", "ascii");
        text(stats, "auth_enabled_sasl", server.authFile() == null ? "no" : "yes");
        text(stats, "auth_enabled_ascii", server.authFile() == null ? "no" : "yes");
        number(stats, "item_size_max", settings.maxItemSize());
        text(stats, "maxconns_fast", "yes");
        number(stats, "hashpower_init", 0);
        text(stats, "slab_reassign", "no");
        number(stats, "slab_automove", 0);
        text(stats, "slab_automove_ratio", "0.00");
        number(stats, "slab_automove_window", 0);
        number(stats, "slab_chunk_max", 0);
        text(stats, "lru_crawler", "yes");
        number(stats, "lru_crawler_sleep", 0);
        number(stats, "lru_crawler_tocrawl", 0);
        number(stats, "tail_repair_time", 0);
        text(stats, "flush_enabled", "yes");
        text(stats, "dump_enabled", "yes");
        text(stats, "hash_algorithm", "mnemo");
        text(stats, "lru_maintainer_thread", "no");
        text(stats, "lru_segmented", "no");
        number(stats, "hot_lru_pct", 0);
        number(stats, "warm_lru_pct", 0);
        text(stats, "hot_max_factor", "0.00");
        text(stats, "warm_max_factor", "0.00");
        text(stats, "temp_lru", "no");
        number(stats, "temporary_ttl", 0);
        number(stats, "idle_timeout", server.idleTimeoutSeconds());
        number(stats, "watcher_logbuf_size", LogWatcher.BUFFER_BYTES);
        number(stats, "worker_logbuf_size", 0);
        number(stats, "read_buf_mem_limit", 0);
        text(stats, "track_sizes", "no");
        text(stats, "inline_ascii_response", "no");
        number(stats, "ext_item_size", 0);
        number(stats, "ext_item_age", 0);
        number(stats, "ext_low_ttl", 0);
        number(stats, "ext_recache_rate", 0);
        number(stats, "ext_wbuf_size", 0);
        number(stats, "ext_compact_under", 0);
        number(stats, "ext_drop_under", 0);
        number(stats, "ext_max_sleep", 0);
        text(stats, "ext_max_frag", "0.00");
        text(stats, "slab_automove_freeratio", "0.000");
        text(stats, "ext_drop_unread", "no");
        List<Map.Entry<String, String>> tls = server.tlsSettings();
        (tls.isEmpty() ? TLS_OFF : tls).forEach(line -> text(stats, line.getKey(), line.getValue()));
        text(stats, "num_napi_ids", "(null)");
        text(stats, "memory_file", store.memoryFile() == null ? "(null)" : store.memoryFile().toString());
        return stats;
    }

    /** @return "stats items": the whole store as slab class 1; none, as memcached, when there is no item */
    public List<Stat> items() {
        List<Stat> stats = new ArrayList<>(32);
        StoreStats s = store.stats();
        if (s.currItems() == 0) {
            return stats;
        }
        number(stats, "items:1:number", s.currItems());
        number(stats, "items:1:number_hot", 0);
        number(stats, "items:1:number_warm", 0);
        number(stats, "items:1:number_cold", 0);
        number(stats, "items:1:age_hot", 0);
        number(stats, "items:1:age_warm", 0);
        number(stats, "items:1:age", 0);
        number(stats, "items:1:mem_requested", s.bytes());
        number(stats, "items:1:evicted", s.evictions());
        number(stats, "items:1:evicted_nonzero", 0);
        number(stats, "items:1:evicted_time", 0);
        number(stats, "items:1:outofmemory", s.storeNoMemory());
        number(stats, "items:1:tailrepairs", 0);
        number(stats, "items:1:reclaimed", s.reclaimed());
        number(stats, "items:1:expired_unfetched", s.expiredUnfetched());
        number(stats, "items:1:evicted_unfetched", s.evictedUnfetched());
        number(stats, "items:1:evicted_active", 0);
        number(stats, "items:1:crawler_reclaimed", 0);
        number(stats, "items:1:crawler_items_checked", 0);
        number(stats, "items:1:lrutail_reflocked", 0);
        number(stats, "items:1:moves_to_cold", 0);
        number(stats, "items:1:moves_to_warm", 0);
        number(stats, "items:1:moves_within_lru", 0);
        number(stats, "items:1:direct_reclaims", 0);
        number(stats, "items:1:hits_to_hot", 0);
        number(stats, "items:1:hits_to_warm", 0);
        number(stats, "items:1:hits_to_cold", 0);
        number(stats, "items:1:hits_to_temp", 0);
        return stats;
    }

    /** @return the store's counters and geometry, for figures memcached's groups do not show (segment bytes) */
    public StoreStats storeStats() {
        return store.stats();
    }

    /**
     * @return "stats slabs": the whole store as slab class 1 (docs/STATS.md): its pages are the
     *         segments, its chunks the items (variable-sized: chunk_size is their mean size)
     */
    public List<Stat> slabs() {
        List<Stat> stats = new ArrayList<>(20);
        StoreStats s = store.stats();
        long chunkSize = s.currItems() == 0 ? 0 : (s.bytes() + s.currItems() - 1) / s.currItems();
        long chunksPerPage = chunkSize == 0 ? 0 : s.segmentSize() / chunkSize;
        long totalChunks = s.segmentsTotal() * chunksPerPage;
        number(stats, "1:chunk_size", chunkSize);
        number(stats, "1:chunks_per_page", chunksPerPage);
        number(stats, "1:total_pages", s.segmentsTotal());
        number(stats, "1:total_chunks", totalChunks);
        number(stats, "1:used_chunks", s.currItems());
        number(stats, "1:free_chunks", Math.max(0, totalChunks - s.currItems()));
        number(stats, "1:free_chunks_end", 0);
        number(stats, "1:get_hits", s.getHits());
        number(stats, "1:cmd_set", s.cmdSet());
        number(stats, "1:delete_hits", s.deleteHits());
        number(stats, "1:incr_hits", s.incrHits());
        number(stats, "1:decr_hits", s.decrHits());
        number(stats, "1:cas_hits", s.casHits());
        number(stats, "1:cas_badval", s.casBadval());
        number(stats, "1:touch_hits", s.touchHits());
        number(stats, "active_slabs", 1);
        number(stats, "total_malloced", s.segmentsUsed() * s.segmentSize());
        return stats;
    }

    /** @return "stats conns": each open connection's address, state and idle seconds */
    public List<Stat> conns() {
        List<Stat> stats = new ArrayList<>();
        for (ConnectionInfo c : server.connections()) {
            String prefix = c.id() + ":";
            text(stats, prefix + "addr", c.address());
            if (c.listenAddress() != null) {
                text(stats, prefix + "listen_addr", c.listenAddress());
            }
            text(stats, prefix + "state", c.state());
            number(stats, prefix + "secs_since_last_cmd", c.secsSinceLastCommand());
        }
        return stats;
    }


    private static void number(List<Stat> stats, String name, long value) {
        stats.add(Stat.number(name, value));
    }

    private static void text(List<Stat> stats, String name, String value) {
        stats.add(Stat.text(name, value));
    }

    /** @return memcached's rusage format: seconds with six decimals */
    private static String seconds(long micros) {
        return String.format("%d.%06d", micros / 1_000_000, micros % 1_000_000);
    }

    /**
     * @return {user, system} CPU time of this process in microseconds: from /proc/self/stat on
     *         Linux, else the JVM's total process CPU time as user time
     */
    private static long[] cpuMicros() {
        try {
            String stat = Files.readString(PROC_SELF_STAT, StandardCharsets.US_ASCII);
            // fields after the ")" that closes the command name: state is field 3, utime 14, stime 15
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long utime = Long.parseLong(fields[11]);
            long stime = Long.parseLong(fields[12]);
            return new long[] {utime * 1_000_000 / CLOCK_TICKS_PER_SECOND, stime * 1_000_000 / CLOCK_TICKS_PER_SECOND};
        } catch (IOException | RuntimeException e) {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                return new long[] {Math.max(0, os.getProcessCpuTime() / 1000), 0};
            }
            return new long[] {0, 0};
        }
    }

    private static String nettyVersion() {
        var version = io.netty.util.Version.identify().get("netty-buffer");
        return version == null ? "unknown" : version.artifactVersion();
    }
}
