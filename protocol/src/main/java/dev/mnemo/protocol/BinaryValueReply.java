package dev.mnemo.protocol;

import dev.mnemo.store.ItemReader;
import dev.mnemo.store.ItemView;
import io.netty.buffer.ByteBuf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Writes the successful response of a binary GET, GETK, GAT, GATK (and their quiet variants)
 * or TOUCH ("BinaryProtocolRevamped", sections "Get, Get Quietly, Get Key, Get Key Quietly"
 * and "Touch, Get And Touch"): a header carrying the item's CAS unique, 4 bytes of client flags
 * as extras, the key for the K variants, then the value (none for TOUCH, as memcached 1.6
 * sends). The value is copied once, straight from the store into the outbound buffer; nothing
 * is allocated.
 *
 * <p>Reused for every request: {@link #prepare} it, then hand it to the store. Each
 * {@link #read} call restarts at the writer index {@code prepare} saw, as {@link ItemReader}
 * requires. Not thread-safe: one per connection.
 */
final class BinaryValueReply implements ItemReader {

    private final BufferMemory outMemory = new BufferMemory();
    private BinaryHeader header;
    private ByteBuf out;
    private int mark;
    private MemorySegment keyMemory;
    private long keyOffset;
    private int keyLength;
    private boolean withValue;
    private int lastValueLength;

    /**
     * @param header    the request, whose opcode and opaque the response echoes
     * @param out       the outbound buffer; the response starts at its current writer index
     * @param keyMemory the memory holding the key to echo, or null not to echo it
     * @param keyOffset offset of the key's first byte in {@code keyMemory}
     * @param keyLength the key length in bytes
     * @param withValue whether to send the value (false for TOUCH)
     */
    void prepare(BinaryHeader header, ByteBuf out, MemorySegment keyMemory, long keyOffset, int keyLength,
                 boolean withValue) {
        this.header = header;
        this.out = out;
        this.mark = out.writerIndex();
        this.keyMemory = keyMemory;
        this.keyOffset = keyOffset;
        this.keyLength = keyMemory == null ? 0 : keyLength;
        this.withValue = withValue;
    }

    @Override
    public void read(ItemView item) {
        out.writerIndex(mark);
        lastValueLength = item.valueLength();
        int valueLength = withValue ? lastValueLength : 0;
        header.writeResponse(out, keyLength, 4, BinaryStatus.SUCCESS, 4 + keyLength + valueLength, item.casUnique());
        out.writeInt(item.clientFlags());
        for (int i = 0; i < keyLength; i++) {
            out.writeByte(keyMemory.get(ValueLayout.JAVA_BYTE, keyOffset + i));
        }
        if (valueLength > 0) {
            outMemory.append(item.memory(), item.valueOffset(), valueLength, out);
        }
    }

    /** @return the value length of the item last read, sent or not ("watch" lines' size) */
    int lastValueLength() {
        return lastValueLength;
    }
}
