package dev.mnemo.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * A channel's socket reads go into its event loop's {@link LoopBuffer#READS} buffer whenever no
 * one holds it, instead of a buffer allocated from Netty's pool and freed again per read; while
 * it is held (a connection keeps a partial request in it, an io_uring read is in flight) a read
 * gets the buffer {@code sizes} would have allocated. Everything else (how much to read, how many
 * reads per event) is {@code sizes}'s.
 *
 * <p>Thread-safe: one instance may serve every channel; each handle is its channel's.
 */
final class LoopReadAllocator implements RecvByteBufAllocator {

    private final RecvByteBufAllocator sizes;

    /** @param sizes Netty's allocator for the read sizes, and for reads while the loop's buffer is held */
    LoopReadAllocator(RecvByteBufAllocator sizes) {
        this.sizes = sizes;
    }

    @Override
    public Handle newHandle() {
        return new LoopReadHandle((ExtendedHandle) sizes.newHandle());
    }

    /** {@code sizes}'s handle, but reading into the loop's buffer. */
    private static final class LoopReadHandle implements ExtendedHandle {
        private final ExtendedHandle sizes;

        LoopReadHandle(ExtendedHandle sizes) {
            this.sizes = sizes;
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            ByteBuf loops = LoopBuffer.READS.lend(alloc);
            return loops != null ? loops : sizes.allocate(alloc);
        }

        @Override
        public int guess() {
            return sizes.guess();
        }

        @Override
        public void reset(ChannelConfig config) {
            sizes.reset(config);
        }

        @Override
        public void incMessagesRead(int messages) {
            sizes.incMessagesRead(messages);
        }

        @Override
        public void lastBytesRead(int bytes) {
            sizes.lastBytesRead(bytes);
        }

        @Override
        public int lastBytesRead() {
            return sizes.lastBytesRead();
        }

        @Override
        public void attemptedBytesRead(int bytes) {
            sizes.attemptedBytesRead(bytes);
        }

        @Override
        public int attemptedBytesRead() {
            return sizes.attemptedBytesRead();
        }

        @Override
        public boolean continueReading() {
            return sizes.continueReading();
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return sizes.continueReading(maybeMoreDataSupplier);
        }

        @Override
        public void readComplete() {
            sizes.readComplete();
        }
    }
}
