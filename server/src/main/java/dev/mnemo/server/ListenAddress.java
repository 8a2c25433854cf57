package dev.mnemo.server;

import java.util.ArrayList;
import java.util.List;

/**
 * One TCP listener named by {@code -l}, in memcached's syntax: {@code [notls:]<host>[:<port>]},
 * several separated by commas or given by repeating {@code -l}. An IPv6 host with a port is
 * written in brackets ({@code [::1]:11212}); a host without a port listens on {@code -p}.
 * {@code notls:} makes a plain listener on a server started with {@code -Z}. Immutable.
 *
 * @param host the interface to bind (name or literal address, without brackets)
 * @param port the TCP port; 0 binds a free one
 * @param tls  whether connections to it speak TLS
 */
record ListenAddress(String host, int port, boolean tls) {

    /** memcached's prefix for a listener without TLS on a TLS server. */
    static final String NOTLS = "notls:";

    /**
     * @param values      the {@code -l} values, each one or more comma-separated listeners
     * @param defaultPort the port of a listener that names none ({@code -p})
     * @param tlsEnabled  whether the server runs with TLS ({@code -Z}): every listener not
     *                    marked {@code notls:} is then a TLS listener
     * @return the listeners, in the order given
     * @throws IllegalArgumentException with memcached's message for {@code notls:} without
     *                                  {@code -Z}, or with a message naming a bad port
     */
    static List<ListenAddress> parse(List<String> values, int defaultPort, boolean tlsEnabled) {
        List<ListenAddress> result = new ArrayList<>();
        for (String value : values) {
            for (String spec : value.split(",")) {
                result.add(parseOne(spec.trim(), defaultPort, tlsEnabled));
            }
        }
        return List.copyOf(result);
    }

    private static ListenAddress parseOne(String spec, int defaultPort, boolean tlsEnabled) {
        boolean tls = tlsEnabled;
        String rest = spec;
        if (rest.startsWith(NOTLS)) {
            if (!tlsEnabled) {
                throw new IllegalArgumentException("'notls' option is valid only when SSL is enabled");
            }
            tls = false;
            rest = rest.substring(NOTLS.length());
        }
        String host = rest;
        String port = null;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("bad listen address '" + spec + "': no ']' after the IPv6 address");
            }
            host = rest.substring(1, close);
            if (rest.length() > close + 1) {
                if (rest.charAt(close + 1) != ':') {
                    throw new IllegalArgumentException("bad listen address '" + spec + "': expected ':' after ']'");
                }
                port = rest.substring(close + 2);
            }
        } else if (rest.indexOf(':') >= 0 && rest.indexOf(':') == rest.lastIndexOf(':')) {
            host = rest.substring(0, rest.indexOf(':'));
            port = rest.substring(rest.indexOf(':') + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("bad listen address '" + spec + "': no host");
        }
        return new ListenAddress(host, port == null ? defaultPort : parsePort(spec, port), tls);
    }

    private static int parsePort(String spec, String port) {
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)
                || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("bad listen address '" + spec + "': the port must be 0 to 65535");
        }
        return Integer.parseInt(port);
    }

    /** @return {@code host:port}, IPv6 hosts in brackets, and {@code (TLS)} for a TLS listener: for the start log */
    @Override
    public String toString() {
        String address = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return address + ":" + port + (tls ? " (TLS)" : "");
    }
}
