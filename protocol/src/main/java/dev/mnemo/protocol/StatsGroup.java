package dev.mnemo.protocol;

import java.nio.charset.StandardCharsets;

/**
 * What a "stats" request asks for (protocol.txt "Statistics"): its second token names the
 * group; none means the general-purpose stats. The text and binary protocols read it the same
 * way (binary STAT's key is that token). Stateless.
 */
enum StatsGroup {
    GENERAL, SETTINGS, ITEMS, SLABS, SIZES, CONNS,
    /** "stats reset": zero the counters. */
    RESET,
    /** "stats detail on|off|dump": per-prefix stats, which Mnemo does not keep. */
    DETAIL,
    /** A name memcached does not know. */
    UNKNOWN;

    private static final byte[] SETTINGS_NAME = bytes("settings");
    private static final byte[] ITEMS_NAME = bytes("items");
    private static final byte[] SLABS_NAME = bytes("slabs");
    private static final byte[] SIZES_NAME = bytes("sizes");
    private static final byte[] CONNS_NAME = bytes("conns");
    private static final byte[] RESET_NAME = bytes("reset");
    private static final byte[] DETAIL_NAME = bytes("detail");

    /**
     * @param line a parsed "stats ..." line (token 0 is "stats"; tokens after the group are ignored)
     * @return the group it names
     */
    static StatsGroup of(CommandLine line) {
        if (line.count() == 1) {
            return GENERAL;
        }
        if (line.is(1, RESET_NAME)) {
            return RESET;
        }
        if (line.is(1, SETTINGS_NAME)) {
            return SETTINGS;
        }
        if (line.is(1, ITEMS_NAME)) {
            return ITEMS;
        }
        if (line.is(1, SLABS_NAME)) {
            return SLABS;
        }
        if (line.is(1, SIZES_NAME)) {
            return SIZES;
        }
        if (line.is(1, CONNS_NAME)) {
            return CONNS;
        }
        return line.is(1, DETAIL_NAME) ? DETAIL : UNKNOWN;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
