package dev.mnemo.protocol;

import dev.mnemo.store.Store;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.nio.charset.StandardCharsets;

/**
 * The text "stats" command and its groups (protocol.txt "Statistics"): general, settings,
 * items, slabs, sizes, conns, detail, reset. Prints the {@link StatsSnapshot} of the group
 * asked for as {@code STAT <name> <value>\r\n} lines ended by END, and memcached 1.6.18's
 * replies to "reset", "detail" and an unknown group (ERROR).
 *
 * <p>Stats are not a hot path: this class allocates. Not thread-safe: one per connection.
 */
final class TextStats {

    private static final byte[] STAT = "STAT ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ON = "on".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OFF = "off".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DUMP = "dump".getBytes(StandardCharsets.US_ASCII);

    private final StatsSnapshot snapshot;
    private final KeyPrefixStats prefixStats;

    TextStats(Store store, ServerContext server) {
        this.snapshot = new StatsSnapshot(store, server);
        this.prefixStats = server.prefixStats();
    }

    /**
     * Answers a "stats" line: writes the group asked for, ended by END, or memcached's reply
     * to "stats reset", "stats detail" or an unknown group (ERROR).
     *
     * @param line the parsed "stats ..." line
     * @param out  where to write the reply
     */
    void write(CommandLine line, ByteBuf out) {
        StatsGroup group = StatsGroup.of(line);
        switch (group) {
            case RESET -> {
                snapshot.reset();
                out.writeBytes(Ascii.RESET);
            }
            case DETAIL -> detail(line, out);
            case UNKNOWN -> out.writeBytes(Ascii.ERROR);
            default -> {
                for (Stat stat : snapshot.of(group)) {
                    out.writeBytes(STAT);
                    ByteBufUtil.writeAscii(out, stat.name());
                    out.writeByte(' ');
                    ByteBufUtil.writeAscii(out, stat.value());
                    out.writeBytes(Ascii.CRLF);
                }
                out.writeBytes(Ascii.END);
            }
        }
    }

    /** "stats detail on|off|dump" as memcached: tokens after the third are ignored. */
    private void detail(CommandLine line, ByteBuf out) {
        if (line.count() < 3) {
            out.writeBytes(Ascii.STATS_DETAIL_USAGE);
        } else if (line.is(2, ON) || line.is(2, OFF)) {
            prefixStats.enable(line.is(2, ON));
            out.writeBytes(Ascii.OK);
        } else if (line.is(2, DUMP)) {
            prefixStats.dump(out);
        } else {
            out.writeBytes(Ascii.STATS_DETAIL_USAGE);
        }
    }
}
