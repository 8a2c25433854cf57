package dev.mnemo.protocol;

import dev.mnemo.store.Store;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * The binary STAT command ("BinaryProtocolRevamped", section "Stat"): the same groups and
 * names as the text "stats" ({@link TextStats} renders them), sent as one response packet per
 * statistic (key = name, value = value) and ended by a packet with an empty key and value. An
 * unknown group is answered KEY_ENOENT, as memcached 1.6 does; "reset" answers the end packet
 * alone. Allocates (a stats request is not on a hot path). Not thread-safe: one per connection.
 */
final class BinaryStats {

    private static final byte[] STATS = "stats ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STAT = "STAT ".getBytes(StandardCharsets.US_ASCII);

    private final TextStats stats;
    private final CommandLine line = new CommandLine();

    BinaryStats(Store store, ServerContext server) {
        this.stats = new TextStats(store, server);
    }

    /**
     * @param header   the STAT request
     * @param in       the inbound buffer
     * @param keyIndex buffer index of the request's key (the group name; may be empty)
     * @param out      where to write the responses
     */
    void write(BinaryHeader header, ByteBuf in, int keyIndex, ByteBuf out) {
        byte[] request = new byte[STATS.length + header.keyLength];
        System.arraycopy(STATS, 0, request, 0, STATS.length);
        in.getBytes(keyIndex, request, STATS.length, header.keyLength);
        line.parse(MemorySegment.ofArray(request), 0, 0, request.length);
        ByteBuf text = Unpooled.buffer();
        try {
            stats.write(line, text);
            if (startsWith(text, Ascii.ERROR)) {
                byte[] body = BinaryStatus.text(BinaryStatus.KEY_ENOENT);
                header.writeResponse(out, 0, 0, BinaryStatus.KEY_ENOENT, body.length, 0);
                out.writeBytes(body);
                return;
            }
            int end = text.writerIndex();
            int i = 0;
            while (i < end && startsWith(text.slice(i, end - i), STAT)) {
                int lf = text.indexOf(i, end, (byte) '\n');
                int nameStart = i + STAT.length;
                int space = text.indexOf(nameStart, lf, (byte) ' ');
                int valueEnd = lf - 1;
                int nameLength = space - nameStart;
                int valueLength = valueEnd - space - 1;
                header.writeResponse(out, nameLength, 0, BinaryStatus.SUCCESS, nameLength + valueLength, 0);
                out.writeBytes(text, nameStart, nameLength);
                out.writeBytes(text, space + 1, valueLength);
                i = lf + 1;
            }
            header.writeResponse(out, 0, 0, BinaryStatus.SUCCESS, 0, 0);
        } finally {
            text.release();
        }
    }

    private static boolean startsWith(ByteBuf buf, byte[] prefix) {
        if (buf.readableBytes() < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (buf.getByte(buf.readerIndex() + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
