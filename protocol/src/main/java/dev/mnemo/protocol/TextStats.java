package dev.mnemo.protocol;

import dev.mnemo.store.Store;
import dev.mnemo.store.StoreConfig;
import dev.mnemo.store.StoreStats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The "stats" command and its groups (protocol.txt "Statistics"): general, settings, items,
 * slabs, sizes, conns, detail, reset. Field names and order are memcached 1.6.18's; fields
 * with no meaning for Mnemo's segment store carry the figure documented in docs/STATS.md.
 *
 * <p>Stats are not a hot path: this class may allocate. Thread-safe as far as the store and
 * server context it reads are; used by one connection's protocol at a time.
 */
final class TextStats {

    private static final byte[] STAT = "STAT ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SETTINGS = "settings".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ITEMS = "items".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SLABS = "slabs".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SIZES = "sizes".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNS = "conns".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RESET = "reset".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DETAIL = "detail".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ON = "on".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OFF = "off".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DUMP = "dump".getBytes(StandardCharsets.US_ASCII);

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

    TextStats(Store store, ServerContext server) {
        this.store = store;
        this.server = server;
    }

    /**
     * Answers a "stats" line: writes the group asked for, ended by END, or memcached's reply
     * to an unknown group (ERROR) or a bad "stats detail".
     *
     * @param line the parsed "stats ..." line
     * @param out  where to write the reply
     */
    void write(CommandLine line, ByteBuf out) {
        if (line.count() == 1) {
            general(out);
        } else if (line.is(1, RESET)) {
            store.resetStats();
            server.resetStats();
            out.writeBytes(Ascii.RESET);
            return;
        } else if (line.is(1, SETTINGS)) {
            settings(out);
        } else if (line.is(1, ITEMS)) {
            items(out);
        } else if (line.is(1, SLABS)) {
            slabs(out);
        } else if (line.is(1, SIZES)) {
            text(out, "sizes_status", "disabled");
        } else if (line.is(1, CONNS)) {
            conns(out);
        } else if (line.is(1, DETAIL)) {
            detail(line, out);
            return;
        } else {
            out.writeBytes(Ascii.ERROR);
            return;
        }
        out.writeBytes(Ascii.END);
    }

    /** "stats detail on|off|dump": Mnemo keeps no per-prefix stats, so dump is always empty. */
    private static void detail(CommandLine line, ByteBuf out) {
        if (line.count() < 3) {
            out.writeBytes(Ascii.STATS_DETAIL_USAGE);
        } else if (line.is(2, ON) || line.is(2, OFF)) {
            out.writeBytes(Ascii.OK);
        } else if (line.is(2, DUMP)) {
            out.writeBytes(Ascii.END);
        } else {
            out.writeBytes(Ascii.STATS_DETAIL_USAGE);
        }
    }

    private void general(ByteBuf out) {
        StoreStats s = store.stats();
        long[] cpuMicros = cpuMicros();
        number(out, "pid", PID);
        number(out, "uptime", server.uptimeSeconds());
        number(out, "time", store.config().clock().nowSeconds());
        text(out, "version", TextProtocol.VERSION);
        text(out, "libevent", NETTY);
        number(out, "pointer_size", 64);
        text(out, "rusage_user", seconds(cpuMicros[0]));
        text(out, "rusage_system", seconds(cpuMicros[1]));
        number(out, "max_connections", server.settings().maxConnections());
        number(out, "curr_connections", server.currentConnections());
        number(out, "total_connections", server.totalConnections());
        number(out, "rejected_connections", server.rejectedConnections());
        number(out, "connection_structures", server.currentConnections());
        number(out, "response_obj_oom", 0);
        number(out, "response_obj_count", 0);
        number(out, "response_obj_bytes", 0);
        number(out, "read_buf_count", 0);
        number(out, "read_buf_bytes", 0);
        number(out, "read_buf_bytes_free", 0);
        number(out, "read_buf_oom", 0);
        number(out, "reserved_fds", 0);
        number(out, "cmd_get", s.cmdGet());
        number(out, "cmd_set", s.cmdSet());
        number(out, "cmd_flush", s.cmdFlush());
        number(out, "cmd_touch", s.cmdTouch());
        number(out, "cmd_meta", store.metaDebugCommands());
        number(out, "get_hits", s.getHits());
        number(out, "get_misses", s.getMisses());
        number(out, "get_expired", s.getExpired());
        number(out, "get_flushed", s.getFlushed());
        number(out, "delete_misses", s.deleteMisses());
        number(out, "delete_hits", s.deleteHits());
        number(out, "incr_misses", s.incrMisses());
        number(out, "incr_hits", s.incrHits());
        number(out, "decr_misses", s.decrMisses());
        number(out, "decr_hits", s.decrHits());
        number(out, "cas_misses", s.casMisses());
        number(out, "cas_hits", s.casHits());
        number(out, "cas_badval", s.casBadval());
        number(out, "touch_hits", s.touchHits());
        number(out, "touch_misses", s.touchMisses());
        number(out, "store_too_large", s.storeTooLarge());
        number(out, "store_no_memory", s.storeNoMemory());
        AuthFile auth = server.authFile();
        number(out, "auth_cmds", auth == null ? 0 : auth.authCmds());
        number(out, "auth_errors", auth == null ? 0 : auth.authErrors());
        number(out, "bytes_read", server.bytesRead());
        number(out, "bytes_written", server.bytesWritten());
        number(out, "limit_maxbytes", s.limitMaxbytes());
        number(out, "accepting_conns", 1);
        number(out, "listen_disabled_num", 0);
        number(out, "time_in_listen_disabled_us", 0);
        number(out, "threads", server.settings().threads());
        number(out, "conn_yields", server.connectionsThrottled());
        number(out, "hash_power_level", s.hashPowerLevel());
        number(out, "hash_bytes", s.hashBytes());
        number(out, "hash_is_expanding", 0);
        number(out, "slab_reassign_rescues", 0);
        number(out, "slab_reassign_chunk_rescues", 0);
        number(out, "slab_reassign_evictions_nomem", 0);
        number(out, "slab_reassign_inline_reclaim", 0);
        number(out, "slab_reassign_busy_items", 0);
        number(out, "slab_reassign_busy_deletes", 0);
        number(out, "slab_reassign_running", 0);
        number(out, "slabs_moved", 0);
        number(out, "lru_crawler_running", 0);
        number(out, "lru_crawler_starts", 0);
        number(out, "lru_maintainer_juggles", 0);
        number(out, "malloc_fails", 0);
        number(out, "log_worker_dropped", 0);
        number(out, "log_worker_written", 0);
        number(out, "log_watcher_skipped", 0);
        number(out, "log_watcher_sent", 0);
        number(out, "log_watchers", 0);
        server.tlsStats().forEach(line -> text(out, line.getKey(), line.getValue()));
        number(out, "unexpected_napi_ids", 0);
        number(out, "round_robin_fallback", 0);
        number(out, "bytes", s.bytes());
        number(out, "curr_items", s.currItems());
        number(out, "total_items", s.totalItems());
        number(out, "slab_global_page_pool", 0);
        number(out, "expired_unfetched", s.expiredUnfetched());
        number(out, "evicted_unfetched", s.evictedUnfetched());
        number(out, "evicted_active", 0);
        number(out, "evictions", s.evictions());
        number(out, "reclaimed", s.reclaimed());
        number(out, "crawler_reclaimed", 0);
        number(out, "crawler_items_checked", 0);
        number(out, "lrutail_reflocked", 0);
        number(out, "moves_to_cold", 0);
        number(out, "moves_to_warm", 0);
        number(out, "moves_within_lru", 0);
        number(out, "direct_reclaims", 0);
        number(out, "lru_bumps_dropped", 0);
    }

    private void settings(ByteBuf out) {
        Settings settings = server.settings();
        StoreConfig config = store.config();
        number(out, "maxbytes", store.stats().limitMaxbytes());
        number(out, "maxconns", settings.maxConnections());
        number(out, "tcpport", settings.tcpPort());
        number(out, "udpport", settings.udpPort());
        text(out, "inter", settings.listenAddress() == null ? "NULL" : settings.listenAddress());
        number(out, "verbosity", server.verbosity());
        number(out, "oldest", 0);
        text(out, "evictions", "on");
        text(out, "domain_socket", "NULL");
        number(out, "umask", 700);
        text(out, "shutdown_command", settings.shutdownEnabled() ? "yes" : "no");
        text(out, "growth_factor", "1.00");
        number(out, "chunk_size", 0);
        number(out, "num_threads", settings.threads());
        number(out, "num_threads_per_udp", settings.threads());
        text(out, "stat_key_prefix", ":");
        text(out, "detail_enabled", "no");
        number(out, "reqs_per_event", 0);
        text(out, "cas_enabled", settings.casEnabled() ? "yes" : "no");
        number(out, "tcp_backlog", 0);
        text(out, "binding_protocol", "ascii");
        text(out, "auth_enabled_sasl", server.authFile() == null ? "no" : "yes");
        text(out, "auth_enabled_ascii", server.authFile() == null ? "no" : "yes");
        number(out, "item_size_max", settings.maxItemSize());
        text(out, "maxconns_fast", "yes");
        number(out, "hashpower_init", 0);
        text(out, "slab_reassign", "no");
        number(out, "slab_automove", 0);
        text(out, "slab_automove_ratio", "0.00");
        number(out, "slab_automove_window", 0);
        number(out, "slab_chunk_max", 0);
        text(out, "lru_crawler", "no");
        number(out, "lru_crawler_sleep", 0);
        number(out, "lru_crawler_tocrawl", 0);
        number(out, "tail_repair_time", 0);
        text(out, "flush_enabled", "yes");
        text(out, "dump_enabled", "no");
        text(out, "hash_algorithm", "mnemo");
        text(out, "lru_maintainer_thread", "no");
        text(out, "lru_segmented", "no");
        number(out, "hot_lru_pct", 0);
        number(out, "warm_lru_pct", 0);
        text(out, "hot_max_factor", "0.00");
        text(out, "warm_max_factor", "0.00");
        text(out, "temp_lru", "no");
        number(out, "temporary_ttl", 0);
        number(out, "idle_timeout", 0);
        number(out, "watcher_logbuf_size", 0);
        number(out, "worker_logbuf_size", 0);
        number(out, "read_buf_mem_limit", 0);
        text(out, "track_sizes", "no");
        text(out, "inline_ascii_response", "no");
        number(out, "ext_item_size", 0);
        number(out, "ext_item_age", 0);
        number(out, "ext_low_ttl", 0);
        number(out, "ext_recache_rate", 0);
        number(out, "ext_wbuf_size", 0);
        number(out, "ext_compact_under", 0);
        number(out, "ext_drop_under", 0);
        number(out, "ext_max_sleep", 0);
        text(out, "ext_max_frag", "0.00");
        text(out, "slab_automove_freeratio", "0.000");
        text(out, "ext_drop_unread", "no");
        List<Map.Entry<String, String>> tls = server.tlsSettings();
        (tls.isEmpty() ? TLS_OFF : tls).forEach(line -> text(out, line.getKey(), line.getValue()));
        text(out, "num_napi_ids", "(null)");
        text(out, "memory_file", config.memoryFile() == null ? "(null)" : config.memoryFile().toString());
    }

    /** The whole store as slab class 1; memcached prints nothing for a class with no items. */
    private void items(ByteBuf out) {
        StoreStats s = store.stats();
        if (s.currItems() == 0) {
            return;
        }
        number(out, "items:1:number", s.currItems());
        number(out, "items:1:number_hot", 0);
        number(out, "items:1:number_warm", 0);
        number(out, "items:1:number_cold", 0);
        number(out, "items:1:age_hot", 0);
        number(out, "items:1:age_warm", 0);
        number(out, "items:1:age", 0);
        number(out, "items:1:mem_requested", s.bytes());
        number(out, "items:1:evicted", s.evictions());
        number(out, "items:1:evicted_nonzero", 0);
        number(out, "items:1:evicted_time", 0);
        number(out, "items:1:outofmemory", s.storeNoMemory());
        number(out, "items:1:tailrepairs", 0);
        number(out, "items:1:reclaimed", s.reclaimed());
        number(out, "items:1:expired_unfetched", s.expiredUnfetched());
        number(out, "items:1:evicted_unfetched", s.evictedUnfetched());
        number(out, "items:1:evicted_active", 0);
        number(out, "items:1:crawler_reclaimed", 0);
        number(out, "items:1:crawler_items_checked", 0);
        number(out, "items:1:lrutail_reflocked", 0);
        number(out, "items:1:moves_to_cold", 0);
        number(out, "items:1:moves_to_warm", 0);
        number(out, "items:1:moves_within_lru", 0);
        number(out, "items:1:direct_reclaims", 0);
        number(out, "items:1:hits_to_hot", 0);
        number(out, "items:1:hits_to_warm", 0);
        number(out, "items:1:hits_to_cold", 0);
        number(out, "items:1:hits_to_temp", 0);
    }

    /** The whole store as slab class 1 whose chunks are segments (docs/STATS.md). */
    private void slabs(ByteBuf out) {
        StoreStats s = store.stats();
        number(out, "1:chunk_size", s.segmentSize());
        number(out, "1:chunks_per_page", 1);
        number(out, "1:total_pages", s.segmentsTotal());
        number(out, "1:total_chunks", s.segmentsTotal());
        number(out, "1:used_chunks", s.segmentsUsed());
        number(out, "1:free_chunks", s.segmentsTotal() - s.segmentsUsed());
        number(out, "1:free_chunks_end", 0);
        number(out, "1:get_hits", s.getHits());
        number(out, "1:cmd_set", s.cmdSet());
        number(out, "1:delete_hits", s.deleteHits());
        number(out, "1:incr_hits", s.incrHits());
        number(out, "1:decr_hits", s.decrHits());
        number(out, "1:cas_hits", s.casHits());
        number(out, "1:cas_badval", s.casBadval());
        number(out, "1:touch_hits", s.touchHits());
        number(out, "active_slabs", 1);
        number(out, "total_malloced", s.segmentsUsed() * s.segmentSize());
    }

    private void conns(ByteBuf out) {
        for (ConnectionInfo c : server.connections()) {
            String prefix = c.id() + ":";
            text(out, prefix + "addr", c.address());
            if (c.listenAddress() != null) {
                text(out, prefix + "listen_addr", c.listenAddress());
            }
            text(out, prefix + "state", c.state());
            number(out, prefix + "secs_since_last_cmd", c.secsSinceLastCommand());
        }
    }

    private static void number(ByteBuf out, String name, long value) {
        out.writeBytes(STAT);
        ByteBufUtil.writeAscii(out, name);
        out.writeByte(' ');
        if (value < 0) {
            out.writeByte('-');
            Ascii.writeUnsigned(out, -value);
        } else {
            Ascii.writeUnsigned(out, value);
        }
        out.writeBytes(Ascii.CRLF);
    }

    private static void text(ByteBuf out, String name, String value) {
        out.writeBytes(STAT);
        ByteBufUtil.writeAscii(out, name);
        out.writeByte(' ');
        ByteBufUtil.writeAscii(out, value);
        out.writeBytes(Ascii.CRLF);
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
