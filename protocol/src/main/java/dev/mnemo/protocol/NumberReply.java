package dev.mnemo.protocol;

import dev.mnemo.store.ItemReader;
import dev.mnemo.store.ItemView;
import io.netty.buffer.ByteBuf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Writes the reply of a successful incr or decr (protocol.txt "Increment/Decrement"): the
 * item's new value, then {@code \r\n}. Like memcached, the store may keep a shorter number in
 * place, padded with trailing spaces to the old length; the reply is the digits only.
 *
 * <p>Reused for every request: {@link #prepare} it, then hand it to the store. Each
 * {@link #read} call restarts at the writer index {@code prepare} saw. Not thread-safe.
 */
final class NumberReply implements ItemReader {

    private final BufferMemory outMemory = new BufferMemory();
    private ByteBuf out;
    private int mark;

    /** @param out the outbound buffer; the reply starts at its current writer index */
    void prepare(ByteBuf out) {
        this.out = out;
        this.mark = out.writerIndex();
    }

    @Override
    public void read(ItemView item) {
        out.writerIndex(mark);
        MemorySegment memory = item.memory();
        long offset = item.valueOffset();
        int digits = 0;
        while (digits < item.valueLength() && isDigit(memory.get(ValueLayout.JAVA_BYTE, offset + digits))) {
            digits++;
        }
        outMemory.append(memory, offset, digits, out);
        out.writeBytes(Ascii.CRLF);
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }
}
