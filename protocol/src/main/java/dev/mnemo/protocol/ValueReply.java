package dev.mnemo.protocol;

import dev.mnemo.store.ItemReader;
import dev.mnemo.store.ItemView;
import io.netty.buffer.ByteBuf;

/**
 * Writes a get hit as protocol.txt "Retrieval command" specifies:
 * {@code VALUE <key> <flags> <bytes>[ <cas unique>]\r\n<data block>\r\n}. The key is copied from
 * the request line, the data block straight from the store into the outbound buffer (one copy).
 *
 * <p>Reused for every key of every request: {@link #prepare} it, then hand it to the store.
 * Each {@link #read} call restarts at the writer index {@code prepare} saw, as
 * {@link ItemReader} requires. Not thread-safe: one per connection.
 */
final class ValueReply implements ItemReader {

    private final BufferMemory outMemory = new BufferMemory();
    private ByteBuf out;
    private int mark;
    private ByteBuf keyBuf;
    private int keyIndex;
    private int keyLength;
    private boolean withCas;

    /**
     * @param out       the outbound buffer; the reply starts at its current writer index
     * @param keyBuf    the buffer holding the requested key
     * @param keyIndex  index of the key's first byte in {@code keyBuf}
     * @param keyLength the key length in bytes
     * @param withCas   whether to print the CAS unique (gets, gats)
     */
    void prepare(ByteBuf out, ByteBuf keyBuf, int keyIndex, int keyLength, boolean withCas) {
        this.out = out;
        this.mark = out.writerIndex();
        this.keyBuf = keyBuf;
        this.keyIndex = keyIndex;
        this.keyLength = keyLength;
        this.withCas = withCas;
    }

    @Override
    public void read(ItemView item) {
        out.writerIndex(mark);
        int valueLength = item.valueLength();
        out.ensureWritable(Ascii.VALUE.length + keyLength + 64 + valueLength);
        out.writeBytes(Ascii.VALUE);
        out.writeBytes(keyBuf, keyIndex, keyLength);
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
