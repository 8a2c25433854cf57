package dev.mnemo.protocol;

import dev.mnemo.store.Store;
import io.netty.buffer.ByteBuf;

/**
 * The protocol of a connection or datagram whose first byte decides between text and binary, as
 * memcached's {@code negotiating_prot} does: the binary request magic (0x80,
 * {@link BinaryHeader#REQUEST_MAGIC}) means {@link BinaryProtocol}, anything else
 * {@link TextProtocol}. The choice holds until {@link #reset()}: for a TCP connection, for good;
 * for UDP, for one datagram (every datagram chooses again). The one place the rule is coded, for
 * every transport.
 *
 * <p>Each protocol is built the first time a byte chooses it, so a connection carries the state
 * (scratch arrays, parsers) of the one protocol it speaks, not of both.
 *
 * <p>Not thread-safe: one per connection (or UDP socket), used by its event loop only.
 */
public final class NegotiatingProtocol implements Protocol {

    private final Store store;
    private final ServerContext server;
    private final int connectionId;
    /** Built when a first byte first chooses it; null until then. */
    private TextProtocol text;
    private BinaryProtocol binary;
    /** The protocol the first byte chose, or null before it has arrived. */
    private Protocol chosen;

    /**
     * @param store        the store requests execute on
     * @param server       the server this connection belongs to
     * @param connectionId the connection's number (1 or more; "watch" lines' cfd),
     *                     or {@link Protocol#NO_CONNECTION} for UDP datagrams ("watch" is then an
     *                     unknown command)
     */
    public NegotiatingProtocol(Store store, ServerContext server, int connectionId) {
        this.store = store;
        this.server = server;
        this.connectionId = connectionId;
    }

    @Override
    public int watchedStreams() {
        return text == null ? 0 : text.watchedStreams();
    }

    @Override
    public Outcome process(ByteBuf in, ByteBuf out) {
        if (chosen == null) {
            if (!in.isReadable()) {
                return Outcome.NEED_MORE_INPUT;
            }
            chosen = in.getUnsignedByte(in.readerIndex()) == BinaryHeader.REQUEST_MAGIC ? binary() : text();
        }
        return chosen.process(in, out);
    }

    @Override
    public int awaitedRequestBytes() {
        return chosen == null ? 0 : chosen.awaitedRequestBytes();
    }

    /**
     * Whether held input, the start of a request that is not yet complete, has its command part
     * complete and waits only for its data (memcached's conn_nread state): a text command line
     * with its newline, or a binary header of {@value BinaryHeader#LENGTH} bytes. Idle timeouts
     * leave such a connection open, as memcached does.
     *
     * @param held the unconsumed input from its reader index; not modified
     * @return true if only the data block (text) or the body (binary) is still to arrive; false
     *         for no input or a command line without its newline yet
     */
    public static boolean awaitsData(ByteBuf held) {
        if (!held.isReadable()) {
            return false;
        }
        int start = held.readerIndex();
        if (held.getUnsignedByte(start) == BinaryHeader.REQUEST_MAGIC) {
            return held.readableBytes() >= BinaryHeader.LENGTH;
        }
        return held.indexOf(start, held.writerIndex(), (byte) '\n') >= 0;
    }

    private TextProtocol text() {
        if (text == null) {
            text = new TextProtocol(store, server, connectionId);
        }
        return text;
    }

    private BinaryProtocol binary() {
        if (binary == null) {
            binary = new BinaryProtocol(store, server, connectionId);
        }
        return binary;
    }

    /** Resets the protocols built so far and forgets the choice: the next byte to arrive chooses again. */
    @Override
    public void reset() {
        if (text != null) {
            text.reset();
        }
        if (binary != null) {
            binary.reset();
        }
        chosen = null;
    }
}
