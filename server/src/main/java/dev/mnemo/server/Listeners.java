package dev.mnemo.server;

import dev.mnemo.protocol.Settings;

import java.util.List;

/**
 * Where the server accepts TCP connections and with what TLS: the {@code -l} listeners, the
 * {@code -Z} / {@code -o ssl_*} settings, and the loaded TLS context. Immutable.
 *
 * @param addresses  the listeners, at least one; the first one's bound port is the server's
 *                   {@link MnemoServer#port()}
 * @param tlsOptions the TLS settings, shown by "stats settings" even when TLS is off
 * @param tls        the loaded certificate and key, or null when TLS is off (no {@code -Z})
 */
record Listeners(List<ListenAddress> addresses, TlsOptions tlsOptions, TlsContext tls) {

    Listeners {
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no listener");
        }
        if (tls == null && addresses.stream().anyMatch(ListenAddress::tls)) {
            throw new IllegalArgumentException("a TLS listener needs a TLS context");
        }
    }

    /** @return one plain listener at the settings' address and TCP port, TLS off */
    static Listeners plain(Settings settings) {
        return new Listeners(List.of(new ListenAddress(settings.listenAddress(), settings.tcpPort(), false)),
                TlsOptions.DEFAULTS, null);
    }
}
