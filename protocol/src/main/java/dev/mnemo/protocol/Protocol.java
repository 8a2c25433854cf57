package dev.mnemo.protocol;

import io.netty.buffer.ByteBuf;

/**
 * One connection's side of a memcached protocol: parses requests out of the connection's
 * inbound bytes, executes them on the store and appends the replies to its outbound buffer, one
 * request per {@link #process} call. Implemented by {@link TextProtocol} (which also carries the
 * meta commands, see {@link MetaProtocol}), {@link BinaryProtocol} and
 * {@link NegotiatingProtocol}, which picks one of the two by a connection's first byte.
 *
 * <p>Implementations are not thread-safe: one instance per connection (or per UDP socket), used
 * by its event loop only.
 */
public interface Protocol {

    /**
     * The connection number of requests that come with no connection (UDP datagrams): "watch"
     * is then an unknown command, as memcached answers it over UDP. Connections are numbered from 1.
     */
    int NO_CONNECTION = 0;

    /**
     * Handles at most one request from {@code in}: consumes its bytes (advancing the reader
     * index) and appends its reply, if any, to {@code out}. Never throws for anything a client
     * sends; once it has returned {@link Outcome#CLOSE} it returns it again (until {@link #reset}).
     *
     * @param in  the connection's accumulated inbound bytes
     * @param out the connection's outbound buffer
     * @return what happened; on {@link Outcome#NEED_MORE_INPUT} nothing was consumed except
     *         bytes of a refused data block or body being discarded
     */
    Outcome process(ByteBuf in, ByteBuf out);

    /**
     * Forgets what the last request left for the bytes after it (bytes still to discard, a
     * request to carry on, a close), so that the next {@link #process} call starts a new request.
     * For datagram transports, where every datagram stands alone (protocol.txt "UDP protocol"); a
     * byte stream never needs it.
     */
    void reset();

    /**
     * After {@link #process} returned {@link Outcome#NEED_MORE_INPUT}: the length, in bytes, of
     * the whole request at the inbound buffer's reader index, when what has arrived of it says
     * so: a storage command's line with its {@code <bytes>} data block and "\r\n"
     * (protocol.txt "Storage commands", "Meta Set"), or a binary header with its body. The
     * connection can then make room for the request once, and let the socket read the rest of it
     * straight into place (memcached reads a data block into the item it allocated for it, its
     * conn_nread), instead of growing its buffer as the bytes arrive.
     *
     * @return the request's length in bytes, more than the bytes held; 0 when it is not known
     *         (a command line still arriving, a block being discarded) or the last call did not
     *         return {@link Outcome#NEED_MORE_INPUT}
     */
    default int awaitedRequestBytes() {
        return 0;
    }

    /** @return the {@link WatchLog} streams of the "watch" that last returned {@link Outcome#WATCH}; 0 before */
    default int watchedStreams() {
        return 0;
    }
}
