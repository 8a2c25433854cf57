package dev.mnemo.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * One direct buffer per event loop, lent for one socket read or one read's replies at a time,
 * so that a request does not allocate a buffer from Netty's pool and free it again (about 8 % of
 * the event loop's user time on a get/set load: docs/PERFORMANCE.md, "Cost per operation").
 * memcached does the same with its per-thread read buffer.
 *
 * <p>The loop keeps one reference to its buffer; {@link #lend} lends it, emptied, with a second
 * reference, when the loop's is the only one left, that is when whoever borrowed it last (a
 * connection, a datagram, a write Netty has not finished) has released it; otherwise it lends
 * nothing and the caller allocates, as before. A borrower owns what it gets exactly as if it had
 * allocated it: it may keep it (a partial request) or hand it to the channel, and releases it
 * once. A buffer grown past its maximum capacity (a large reply) is dropped, not kept.
 *
 * <p>Thread-safety: each thread has its own buffer; a buffer must be borrowed and released on
 * the event loop that lent it (Netty releases a written buffer on the channel's loop). The
 * buffer is released when the loop's thread ends.
 */
final class LoopBuffer {

    /** Socket reads of TCP, and of UDP on io_uring and NIO (UDP on epoll reads into its own slots: {@link UdpSocket}; at most 64 KiB: {@link MnemoServer#MAX_READ_BYTES}, {@link MnemoServer#MAX_DATAGRAM_BYTES}). */
    static final LoopBuffer READS = new LoopBuffer(MnemoServer.MAX_READ_BYTES, MnemoServer.MAX_READ_BYTES);

    /**
     * Replies of one read: grown as needed; one that has grown past two write chunks (a reply
     * of a large item) is given back to the pool rather than kept.
     */
    static final LoopBuffer REPLIES = new LoopBuffer(4096, 2 * ConnectionHandler.WRITE_CHUNK_BYTES);

    private final int initialCapacity;
    private final int maxCapacity;
    private final FastThreadLocal<ByteBuf> kept = new FastThreadLocal<>() {
        @Override
        protected void onRemoval(ByteBuf buffer) {
            if (buffer != null) {
                buffer.release();
            }
        }
    };

    /**
     * @param initialCapacity the capacity, in bytes, of a loop's buffer when it is made
     * @param maxCapacity     the largest capacity, in bytes, a buffer may have grown to and still be kept
     */
    private LoopBuffer(int initialCapacity, int maxCapacity) {
        this.initialCapacity = initialCapacity;
        this.maxCapacity = maxCapacity;
    }

    /**
     * @param alloc the channel's allocator, for the loop's first buffer
     * @return the loop's buffer, empty, with a reference the caller owns and must release on this
     *         thread; null while someone else holds it
     */
    ByteBuf lend(ByteBufAllocator alloc) {
        ByteBuf buffer = kept.get();
        if (buffer != null && buffer.refCnt() == 1 && buffer.capacity() > maxCapacity) {
            buffer.release(); // grown for one large reply: not worth keeping
            buffer = null;
        }
        if (buffer == null) {
            buffer = alloc.directBuffer(initialCapacity);
            kept.set(buffer);
            return buffer.retain();
        }
        return buffer.refCnt() == 1 ? buffer.retain().clear() : null;
    }

    /**
     * @param alloc    the channel's allocator
     * @param capacity the initial capacity, in bytes, of the buffer allocated while the loop's is held
     * @return the loop's buffer ({@link #lend}), or while someone else holds it a new direct buffer
     *         from {@code alloc}; either way owned by the caller, to be released once on this thread
     */
    ByteBuf lendOrAllocate(ByteBufAllocator alloc, int capacity) {
        ByteBuf lent = lend(alloc);
        return lent != null ? lent : alloc.ioBuffer(capacity);
    }
}
