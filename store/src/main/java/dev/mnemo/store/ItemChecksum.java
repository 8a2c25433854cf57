package dev.mnemo.store;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * An item's checksum (issue 16, "Never serve damaged bytes"): the CRC32C of the bytes
 * {@link Items} says it covers (key length, client flags, value length, key, value), written
 * by {@link #seal} once a new item's bytes are in place and before it is published, and
 * compared by {@link #matches} whenever an item is taken on trust from memory: the warm-restart
 * rebuild ({@link Recovery}), gets and the other reads. An item that does not match is dropped
 * and counted in badcrc_from_memory_file, never served.
 *
 * <p>How: {@link CRC32C#update(ByteBuffer)} on a direct buffer is a JIT intrinsic (the SSE4.2
 * or ARMv8 crc32c instruction, several bytes a cycle). The buffers are views of the segments
 * area made once per thread, each a window of whole segments (an item never crosses a segment,
 * so it never crosses a window) of at most 1 GiB; a checksum sets a window's position and
 * limit and allocates nothing. The windows are views of the region's address in the global
 * scope when native access is allowed (as {@link AnonymousMemory} needs anyway): a buffer of the
 * region's own shared-arena segment would make every checksum acquire and release the arena's
 * session, two atomic writes to one cache line that every thread shares. Such a window must
 * not be used after the region is unmapped, which the store's contract already forbids
 * ({@link Store#close()}: call once no other thread uses the store). Where native access is
 * denied, the windows are views of the region's segment, with that cost.
 *
 * <p>One instance per thread (a {@link Mutation}'s, a {@link Flyweight}'s, the recovery's); not thread-safe.
 */
final class ItemChecksum {

    private static final long MAX_WINDOW = 1L << 30;

    private final Region region;
    private final MemorySegment memory;
    private final long windowSize;
    private final ByteBuffer[] windows;
    private final CRC32C crc = new CRC32C();

    ItemChecksum(Region region) {
        this.region = region;
        this.memory = region.memory;
        this.windowSize = region.segmentSize * Math.max(1, MAX_WINDOW / region.segmentSize);
        long area = (long) region.segmentCount * region.segmentSize;
        this.windows = new ByteBuffer[(int) Math.max(1, (area + windowSize - 1) / windowSize)];
    }

    /**
     * Writes the checksum of a new item whose key and value are in place; call before it is
     * published. {@code keyLength} and {@code valueLength} must be those in its header.
     */
    void seal(long item, int keyLength, int valueLength) {
        Items.setChecksum(memory, item, (int) of(item, keyLength, valueLength));
    }

    /**
     * Whether an item's bytes are those it was published with. The caller has checked that the
     * item, with these lengths, lies within the region.
     *
     * @param keyLength   the key length in bytes, as the header says
     * @param valueLength the value length in bytes, as the header says
     * @return false if the checksum does not match (the item is damaged, or was torn by a
     *         racing writer: a lock-free reader validates its bucket version before concluding)
     */
    boolean matches(long item, int keyLength, int valueLength) {
        if (item < region.segmentsOffset) {
            return false;
        }
        long crc = of(item, keyLength, valueLength);
        return crc >= 0 && (int) crc == Items.checksum(memory, item);
    }

    /**
     * The CRC32C of the item's covered bytes: one window when the segments take 1 GiB or less
     * (no division on the way), else the window of its offset.
     *
     * @return the CRC32C as an unsigned 32-bit value, or -1 if the lengths reach past the
     *         item's window (damage: an item never crosses a segment)
     */
    private long of(long item, int keyLength, int valueLength) {
        long from = item + Items.CHECKSUMMED - region.segmentsOffset;
        int w = windows.length == 1 ? 0 : (int) Math.min(from / windowSize, windows.length - 1);
        ByteBuffer window = windows[w];
        if (window == null) {
            window = window(w);
        }
        long position = from - w * windowSize;
        long end = position + Items.size(keyLength, valueLength) - Items.CHECKSUMMED;
        if (end > window.capacity()) {
            return -1;
        }
        window.limit((int) end);
        window.position((int) position);
        crc.reset();
        crc.update(window);
        return crc.getValue();
    }

    private ByteBuffer window(int w) {
        long start = region.segmentsOffset + w * windowSize;
        long length = Math.min(windowSize, region.segmentsOffset + (long) region.segmentCount * region.segmentSize - start);
        MemorySegment view;
        try {
            view = MemorySegment.ofAddress(memory.address() + start).reinterpret(length);
        } catch (IllegalCallerException e) { // native access denied
            view = memory.asSlice(start, length);
        }
        ByteBuffer window = view.asByteBuffer();
        windows[w] = window;
        return window;
    }
}
