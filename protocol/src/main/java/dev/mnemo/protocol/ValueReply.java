package dev.mnemo.protocol;

import dev.mnemo.store.ItemReader;
import dev.mnemo.store.ItemView;
import io.netty.buffer.ByteBuf;

import java.lang.foreign.MemorySegment;

/**
 * Writes a get hit as protocol.txt "Retrieval command" specifies:
 * {@code VALUE <key> <flags> <bytes>[ <cas unique>]\r\n<data block>\r\n}. The key is copied from
 * the request line, the data block straight from the store into the outbound buffer (one copy),
 * both through memory segments: Netty's ByteBuf-to-ByteBuf copy allocates when it runs
 * without sun.misc.Unsafe, as it does on JDK 25 by default.
 *
 * <p>Reused for every key of every request: {@link #prepare} it, then hand it to the store.
 * Each {@link #read} call restarts at the writer index {@code prepare} saw, as
 * {@link ItemReader} requires. Not thread-safe: one per connection.
 */
final class ValueReply implements ItemReader {

    private final BufferMemory outMemory = new BufferMemory();
    private ByteBuf out;
    private int mark;
    private MemorySegment keyMemory;
    private long keyOffset;
    private int keyLength;
    private boolean withCas;

    /**
     * @param out       the outbound buffer; the reply starts at its current writer index
     * @param keyMemory the memory holding the requested key (a view of the request line)
     * @param keyOffset offset of the key's first byte in {@code keyMemory}
     * @param keyLength the key length in bytes
     * @param withCas   whether to print the CAS unique (gets, gats)
     */
    void prepare(ByteBuf out, MemorySegment keyMemory, long keyOffset, int keyLength, boolean withCas) {
        this.out = out;
        this.mark = out.writerIndex();
        this.keyMemory = keyMemory;
        this.keyOffset = keyOffset;
        this.keyLength = keyLength;
        this.withCas = withCas;
    }

    @Override
    public void read(ItemView item) {
        out.writerIndex(mark);
        int valueLength = item.valueLength();
        out.ensureWritable(Ascii.VALUE.length + keyLength + 64 + valueLength);
        out.writeBytes(Ascii.VALUE);
        outMemory.append(keyMemory, keyOffset, keyLength, out);
        out.writeByte(' ');
        Ascii.writeUnsigned(out, item.clientFlags() & 0xFFFF_FFFFL);
        out.writeByte(' ');
        Ascii.writeUnsigned(out, valueLength);
        if (withCas) {
            out.writeByte(' ');
            Ascii.writeUnsigned(out, item.casUnique());
        }
        out.writeBytes(Ascii.CRLF);
        outMemory.append(item.memory(), item.valueOffset(), valueLength, out);
        out.writeBytes(Ascii.CRLF);
    }
}
