package dev.mnemo.protocol;

/**
 * One connection as "stats conns" shows it (memcached 1.6: {@code STAT <id>:addr …}).
 *
 * @param id                  the connection's number (memcached prints its file descriptor)
 * @param address             peer address, e.g. {@code tcp:127.0.0.1:40000}
 * @param listenAddress       local address, e.g. {@code tcp:127.0.0.1:11211}
 * @param state               memcached's state name, e.g. {@code conn_parse_cmd}
 * @param secsSinceLastCommand seconds since the connection's last command
 */
public record ConnectionInfo(int id, String address, String listenAddress, String state, long secsSinceLastCommand) {
}
