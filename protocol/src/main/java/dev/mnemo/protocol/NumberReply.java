package dev.mnemo.protocol;

import dev.mnemo.store.ItemReader;
import dev.mnemo.store.ItemView;
import io.netty.buffer.ByteBuf;

/**
 * Writes the reply of a successful incr or decr (protocol.txt "Increment/Decrement"): the
 * item's new value, decimal text as the store holds it, then {@code \r\n}.
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
        outMemory.append(item.memory(), item.valueOffset(), item.valueLength(), out);
        out.writeBytes(Ascii.CRLF);
    }
}
