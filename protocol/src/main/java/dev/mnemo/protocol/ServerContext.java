package dev.mnemo.protocol;

import java.util.List;
import java.util.Map;

/**
 * What the protocol needs from the server it runs in: settings, connection counters and the
 * few commands that act on the server rather than the store (verbosity, shutdown). Implemented
 * by the server module. All methods are thread-safe and cheap except {@link #connections()}.
 */
public interface ServerContext {

    /** @return the settings the server was started with */
    Settings settings();

    /** @return seconds since the server started [uptime] */
    long uptimeSeconds();

    /** @return open connections now [curr_connections] */
    long currentConnections();

    /** @return connections accepted since start [total_connections] */
    long totalConnections();

    /** @return connections refused for the connection limit [rejected_connections] */
    long rejectedConnections();

    /** @return bytes read from the network by all connections [bytes_read] */
    long bytesRead();

    /** @return bytes written to the network by all connections [bytes_written] */
    long bytesWritten();

    /** @return times a connection stopped reading because its output was over the high-water mark */
    long connectionsThrottled();

    /**
     * Zeroes the server's counters that memcached's "stats reset" zeroes: total_connections,
     * rejected_connections, bytes_read, bytes_written and conn_yields (the connection gauges
     * stay). Thread-safe; the store's counters are reset separately.
     */
    void resetStats();

    /** @return memcached's idle_timeout in seconds ("stats settings"); 0 or less: none (the default) */
    default int idleTimeoutSeconds() {
        return 0;
    }

    /** @return connections closed by the idle timeout since start or "stats reset" (memcached's idle_kicks) */
    default long idleKicks() {
        return 0;
    }

    /** @return the current verbosity: 0 quiet, 1 connections, 2 commands (memcached -v / -vv) */
    int verbosity();

    /** @param level the new verbosity, as set by the "verbosity" command */
    void setVerbosity(int level);

    /** Starts a clean shutdown; the protocol calls it only when {@link Settings#shutdownEnabled()}. */
    void shutdown();

    /** @return the per-prefix statistics of "stats detail" (memcached -D), shared by every connection */
    KeyPrefixStats prefixStats();

    /** @return the "watch" log, shared by every connection */
    WatchLog watchLog();

    /** @return a snapshot of every open connection, for "stats conns"; allocates */
    List<ConnectionInfo> connections();

    /**
     * @return the credentials clients must authenticate with (memcached -S / -Y), or null when
     *         authentication is off (the default)
     */
    default AuthFile authFile() {
        return null;
    }

    /**
     * @return the lines memcached -Z adds to "stats" after log_watchers (ssl_handshake_errors,
     *         ...), name and value in order; empty when TLS is off (the default)
     */
    default List<Map.Entry<String, String>> tlsStats() {
        return List.of();
    }

    /**
     * @return the ssl_* lines of "stats settings", name and value in order; empty for memcached's
     *         lines with TLS off (the default)
     */
    default List<Map.Entry<String, String>> tlsSettings() {
        return List.of();
    }

    /**
     * Reloads the TLS certificate and key, as memcached's "refresh_certs" does.
     *
     * @return null when reloaded, else memcached's one-line reason, without a line end (the
     *         default: "Error TLS not enabled")
     */
    default String refreshCerts() {
        return "Error TLS not enabled";
    }
}
