package dev.mnemo.protocol;

import dev.mnemo.store.Store;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * The binary STAT command ("BinaryProtocolRevamped", section "Stat"): the same groups and
 * statistics as the text "stats" ({@link StatsSnapshot}), read from the key as text "stats"
 * reads its second token, sent as one response packet per statistic (key = name, value =
 * value) and ended by a packet with an empty key and value. An unknown group is answered
 * KEY_ENOENT, as memcached 1.6 does; "reset" (after resetting) and "detail" answer the end
 * packet alone. Allocates (a stats request is not on a hot path). Not thread-safe: one per
 * connection.
 */
final class BinaryStats {

    private static final byte[] STATS = "stats ".getBytes(StandardCharsets.US_ASCII);

    private final StatsSnapshot snapshot;
    private final CommandLine line = new CommandLine();

    BinaryStats(Store store, ServerContext server) {
        this.snapshot = new StatsSnapshot(store, server);
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
        StatsGroup group = StatsGroup.of(line);
        switch (group) {
            case UNKNOWN -> {
                byte[] body = BinaryStatus.text(BinaryStatus.KEY_ENOENT);
                header.writeResponse(out, 0, 0, BinaryStatus.KEY_ENOENT, body.length, 0);
                out.writeBytes(body);
                return;
            }
            case RESET -> snapshot.reset();
            case DETAIL -> {
            }
            default -> {
                for (Stat stat : snapshot.of(group)) {
                    int nameLength = stat.name().length();
                    header.writeResponse(out, nameLength, 0, BinaryStatus.SUCCESS, nameLength + stat.value().length(), 0);
                    ByteBufUtil.writeAscii(out, stat.name());
                    ByteBufUtil.writeAscii(out, stat.value());
                }
            }
        }
        header.writeResponse(out, 0, 0, BinaryStatus.SUCCESS, 0, 0);
    }
}
