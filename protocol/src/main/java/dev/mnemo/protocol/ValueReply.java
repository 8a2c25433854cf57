package dev.mnemo.protocol;

import dev.mnemo.store.ItemReader;
import dev.mnemo.store.ItemView;
import io.netty.buffer.ByteBuf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Writes a get hit as protocol.txt "Retrieval command" specifies:
 * {@code VALUE <key> <flags> <bytes>[ <cas unique>]\r\n<data block>\r\n}. The key is copied from
 * the request line; the line is composed in a reusable array and written with one call, then
 * the data block is copied straight from the store into the outbound buffer (one copy) through
 * a memory segment, which copies the same way whether Netty may use sun.misc.Unsafe or not
 * (without it, Netty's default on JDK 24+ unless {@code jvm.options} allows it, Netty's
 * ByteBuf-to-ByteBuf copy allocates and its per-byte writes check bounds on every call).
 *
 * <p>Reused for every key of every request: {@link #prepare} it, then hand it to the store.
 * Each {@link #read} call restarts at the writer index {@code prepare} saw, as
 * {@link ItemReader} requires. Not thread-safe: one per thread, shared by the connections it
 * serves ({@link TextRetrievalCommands}); it holds nothing a later key needs.
 */
final class ValueReply implements ItemReader {

    /** The longest VALUE line: "VALUE ", a 250-byte key, three numbers of up to 20 digits, spaces, CRLF. */
    private static final int MAX_HEADER = 6 + 250 + 3 * 21 + 2;

    private final BufferMemory outMemory = new BufferMemory();
    private final byte[] header = new byte[MAX_HEADER];
    private ByteBuf out;
    private int mark;
    private MemorySegment keyMemory;
    private long keyOffset;
    private int keyLength;
    private boolean withCas;
    private int lastValueLength;

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

    /** @return the value length in bytes of the last hit written */
    int lastValueLength() {
        return lastValueLength;
    }

    @Override
    public void read(ItemView item) {
        out.writerIndex(mark);
        int valueLength = item.valueLength();
        lastValueLength = valueLength;
        byte[] h = header;
        int n = Ascii.VALUE.length;
        System.arraycopy(Ascii.VALUE, 0, h, 0, n);
        MemorySegment.copy(keyMemory, ValueLayout.JAVA_BYTE, keyOffset, h, n, keyLength);
        n += keyLength;
        h[n++] = ' ';
        n = Ascii.putUnsigned(h, n, item.clientFlags() & 0xFFFF_FFFFL);
        h[n++] = ' ';
        n = Ascii.putUnsigned(h, n, valueLength);
        if (withCas) {
            h[n++] = ' ';
            n = Ascii.putUnsigned(h, n, item.casUnique());
        }
        h[n++] = '\r';
        h[n++] = '\n';
        out.ensureWritable(n + valueLength + 2);
        out.writeBytes(h, 0, n);
        outMemory.append(item.memory(), item.valueOffset(), valueLength, out);
        out.writeBytes(Ascii.CRLF);
    }
}
