package dev.mnemo.protocol;

import dev.mnemo.store.Store;
import io.netty.buffer.ByteBuf;

/**
 * memcached's text protocol for one connection (protocol.txt): parses requests out of the
 * connection's inbound bytes, executes them on the store and appends the replies to the
 * outbound buffer. Not thread-safe: one instance per connection, used by its event loop only.
 */
public final class TextProtocol {

    /** What {@link #process} did. */
    public enum Outcome {
        /** One request was handled (or skipped); call again while input remains. */
        HANDLED,
        /** The input holds no complete request; wait for more bytes. */
        NEED_MORE_INPUT,
        /** Send what is in the output, then close the connection (quit, or a fatal error). */
        CLOSE
    }

    /**
     * @param store  the store requests execute on
     * @param server the server this connection belongs to
     */
    public TextProtocol(Store store, ServerContext server) {
        throw new UnsupportedOperationException("to be implemented");
    }

    /**
     * Handles at most one request from {@code in}: consumes its bytes (advancing the reader
     * index) and appends its reply, if any, to {@code out}.
     *
     * @param in  the connection's accumulated inbound bytes
     * @param out the connection's outbound buffer
     * @return what happened; on {@link Outcome#NEED_MORE_INPUT} nothing was consumed except
     *         bytes of an over-long data block being discarded
     */
    public Outcome process(ByteBuf in, ByteBuf out) {
        throw new UnsupportedOperationException("to be implemented");
    }
}
