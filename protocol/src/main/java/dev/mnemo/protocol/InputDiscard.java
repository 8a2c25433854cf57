package dev.mnemo.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The input a connection's protocol must not parse: the rest of a refused request (an over-long
 * data block or binary body, an unknown binary command's body), discarded as it arrives and
 * never buffered (memcached's conn_swallow state), and, once the connection is closing,
 * everything. Used by {@link TextProtocol} (and the meta commands it carries) and
 * {@link BinaryProtocol} before each request.
 *
 * <p>Not thread-safe: one per connection, like the protocol that owns it.
 */
final class InputDiscard {

    private long remaining;
    private boolean closed;

    /**
     * @param in the connection's inbound bytes
     * @return {@link Outcome#CLOSE} once closed; while bytes remain to be discarded, discards
     *         what has arrived of them and says whether more are due ({@link Outcome#NEED_MORE_INPUT})
     *         or not ({@link Outcome#HANDLED}); null when the next request may be parsed
     */
    Outcome before(ByteBuf in) {
        if (closed) {
            return Outcome.CLOSE;
        }
        if (remaining == 0) {
            return null;
        }
        int skip = (int) Math.min(in.readableBytes(), remaining);
        in.skipBytes(skip);
        remaining -= skip;
        return remaining > 0 ? Outcome.NEED_MORE_INPUT : Outcome.HANDLED;
    }

    /** @param bytes bytes still to come of a refused request, to discard as they arrive */
    void discard(long bytes) {
        remaining = bytes;
    }

    /** Discards every readable byte and closes: every later request is refused. @return CLOSE */
    Outcome close(ByteBuf in) {
        in.skipBytes(in.readableBytes());
        return closeAfterThis();
    }

    /** Closes after the request just consumed (quit, shutdown), keeping what follows unread. @return CLOSE */
    Outcome closeAfterThis() {
        closed = true;
        return Outcome.CLOSE;
    }

    /** Forgets bytes to discard and a close (a new datagram starts afresh). */
    void reset() {
        remaining = 0;
        closed = false;
    }
}
