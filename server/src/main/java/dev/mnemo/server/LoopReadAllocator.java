package dev.mnemo.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * A channel's socket reads go into its event loop's read buffer ({@link LoopBuffer#READS}) whenever no
 * one holds it, instead of a buffer allocated from Netty's pool and freed again per read; while
 * it is held (a connection keeps a partial request in it, an io_uring read is in flight) a read
 * gets the buffer {@code sizes} would have allocated. Everything else (how much to read, how many
 * reads per event) is {@code sizes}'s. A connection's own copy ({@link #readingInto}) first asks
 * the connection: while it awaits the rest of a request whose length it knows, the read goes
 * straight into the buffer that holds the request's start.
 *
 * <p>Thread-safe: one instance may serve every channel; each handle is its channel's. The
 * awaited input is asked for on the channel's event loop, just before each read.
 */
final class LoopReadAllocator implements RecvByteBufAllocator {

    /** A connection's buffer for its next read: the free part after a request's held start, or null for the usual. */
    @FunctionalInterface
    interface AwaitedInput {
        /** @return a buffer the caller owns and releases, to read into; null to read into the loop's buffer */
        ByteBuf awaitedInput();
    }

    private final RecvByteBufAllocator sizes;
    private final AwaitedInput awaited;

    /**
     * @param sizes Netty's allocator for the read sizes, and for reads while the loop's buffer is held
     */
    LoopReadAllocator(RecvByteBufAllocator sizes) {
        this(sizes, null);
    }

    private LoopReadAllocator(RecvByteBufAllocator sizes, AwaitedInput awaited) {
        this.sizes = sizes;
        this.awaited = awaited;
    }

    /**
     * @param awaited the connection to ask for its awaited input before each read
     * @return an allocator for that one connection's channel, reading as this one otherwise
     */
    LoopReadAllocator readingInto(AwaitedInput awaited) {
        return new LoopReadAllocator(sizes, awaited);
    }

    @Override
    public Handle newHandle() {
        return new LoopReadHandle();
    }

    /**
     * {@code sizes}'s handle, but reading into the connection's awaited input or the loop's buffer.
     * {@code sizes}'s own handle is made on first use: Netty makes a handle only to check its type
     * each time a channel's allocator is set (when the channel is made and when a connection takes
     * its own copy), and a storm of new connections would otherwise make and drop two of Netty's
     * handles (about 110 bytes each) per connection. Reads the allocator's {@code sizes},
     * {@code reads} and {@code awaited}.
     */
    private final class LoopReadHandle implements ExtendedHandle {
        /** {@code sizes}'s handle for this channel, made on first use. */
        private ExtendedHandle sizesHandle;

        private ExtendedHandle sizes() {
            ExtendedHandle handle = sizesHandle;
            if (handle == null) {
                handle = sizesHandle = (ExtendedHandle) sizes.newHandle();
            }
            return handle;
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            ByteBuf into = awaited == null ? null : awaited.awaitedInput();
            if (into != null) {
                return into;
            }
            ByteBuf loops = LoopBuffer.READS.lend(alloc);
            return loops != null ? loops : sizes().allocate(alloc);
        }

        @Override
        public int guess() {
            return sizes().guess();
        }

        @Override
        public void reset(ChannelConfig config) {
            sizes().reset(config);
        }

        @Override
        public void incMessagesRead(int messages) {
            sizes().incMessagesRead(messages);
        }

        @Override
        public void lastBytesRead(int bytes) {
            sizes().lastBytesRead(bytes);
        }

        @Override
        public int lastBytesRead() {
            return sizes().lastBytesRead();
        }

        @Override
        public void attemptedBytesRead(int bytes) {
            sizes().attemptedBytesRead(bytes);
        }

        @Override
        public int attemptedBytesRead() {
            return sizes().attemptedBytesRead();
        }

        @Override
        public boolean continueReading() {
            return sizes().continueReading();
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return sizes().continueReading(maybeMoreDataSupplier);
        }

        @Override
        public void readComplete() {
            sizes().readComplete();
        }
    }
}
