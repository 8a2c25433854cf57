package dev.mnemo.protocol;

/**
 * The server's settings as the protocol needs them: for limits it enforces and for
 * "stats settings" (memcached 1.6 names in brackets). Immutable.
 *
 * @param maxBytes         memory limit in bytes [maxbytes]
 * @param maxConnections   connection limit [maxconns]
 * @param tcpPort          TCP port [tcpport]
 * @param udpPort          UDP port, 0 = off [udpport]
 * @param listenAddress    the address listened on [inter]
 * @param threads          worker threads [num_threads]
 * @param maxItemSize      largest item in bytes [item_size_max]
 * @param casEnabled       whether CAS is on (memcached -C turns it off) [cas_enabled]
 * @param shutdownEnabled  whether the "shutdown" command is allowed (memcached -A)
 */
public record Settings(long maxBytes, int maxConnections, int tcpPort, int udpPort, String listenAddress,
                       int threads, int maxItemSize, boolean casEnabled, boolean shutdownEnabled) {
}
