package dev.mnemo.protocol;

import io.netty.buffer.ByteBuf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A {@link MemorySegment} view of a Netty {@link ByteBuf}'s memory, so that key and value
 * bytes pass between the network buffers and the store with no intermediate copy.
 *
 * <p>A direct buffer is addressed by its absolute memory address within one segment that spans
 * all of native memory ({@link #NATIVE_MEMORY}), so viewing the new buffer that each socket read
 * or write brings allocates nothing. (That segment has no bounds of its own: the indices come
 * from the buffer's reader and writer indices and the protocol's parser, which stay within the
 * buffer, as Netty's own unsafe accessors assume.) A heap buffer is viewed through its array;
 * the view is cached while the array stays the same. A buffer with neither (a composite
 * buffer, say) has the requested bytes copied into a reusable scratch array instead.
 *
 * <p>Not thread-safe: one instance per connection and per buffer role (inbound, outbound).
 */
final class BufferMemory {

    /** All of native memory, addressed by absolute address. */
    private static final MemorySegment NATIVE_MEMORY = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private MemorySegment view = MemorySegment.NULL;
    private byte[] viewArray;
    private static final byte[] NO_BYTES = new byte[0];

    private byte[] scratch = NO_BYTES;
    private long base;

    /**
     * Views {@code length} bytes of {@code buf} from {@code index}. After the call,
     * {@link #base()} is the offset of {@code buf}'s byte {@code index} in the returned segment.
     *
     * @param buf    the buffer
     * @param index  the first byte wanted
     * @param length the number of bytes wanted
     * @return a segment holding those bytes; valid until the buffer is written, released or
     *         this method is called again
     */
    MemorySegment view(ByteBuf buf, int index, int length) {
        if (buf.hasMemoryAddress()) {
            base = buf.memoryAddress() + index;
            return NATIVE_MEMORY;
        }
        if (buf.hasArray()) {
            byte[] array = buf.array();
            if (array != viewArray) {
                view = MemorySegment.ofArray(array);
                viewArray = array;
            }
            base = (long) buf.arrayOffset() + index;
            return view;
        }
        if (scratch.length < length) {
            scratch = new byte[Math.max(length, 2 * scratch.length)];
        }
        buf.getBytes(index, scratch, 0, length);
        base = 0;
        viewArray = scratch;
        view = MemorySegment.ofArray(scratch);
        return view;
    }

    /** @return the offset, in the last segment returned, of the byte at the index asked for */
    long base() {
        return base;
    }

    /**
     * Appends {@code length} bytes of {@code source} from {@code offset} to {@code out},
     * copying once.
     *
     * @param source the memory to copy from
     * @param offset offset of the first byte in {@code source}
     * @param length number of bytes
     * @param out    the buffer to append to (grown if needed)
     */
    void append(MemorySegment source, long offset, int length, ByteBuf out) {
        out.ensureWritable(length);
        int writerIndex = out.writerIndex();
        if (out.hasMemoryAddress() || out.hasArray()) {
            MemorySegment target = view(out, writerIndex, length);
            MemorySegment.copy(source, offset, target, base, length);
        } else {
            for (int i = 0; i < length; i++) {
                out.setByte(writerIndex + i, source.get(ValueLayout.JAVA_BYTE, offset + i));
            }
        }
        out.writerIndex(writerIndex + length);
    }
}
