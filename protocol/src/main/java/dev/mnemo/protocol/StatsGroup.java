package dev.mnemo.protocol;

import java.nio.charset.StandardCharsets;

/**
 * What a "stats" request asks for (protocol.txt "Statistics"): its second token names the
 * group; none means the general-purpose stats. The text and binary protocols read it the same
 * way (binary STAT's key is that token). Stateless.
 */
enum StatsGroup {
    GENERAL(null),
    SETTINGS("settings"),
    ITEMS("items"),
    SLABS("slabs"),
    SIZES("sizes"),
    CONNS("conns"),
    /** "stats reset": zero the counters. */
    RESET("reset"),
    /** "stats detail on|off|dump": per-prefix stats ({@link KeyPrefixStats}). */
    DETAIL("detail"),
    /** A name memcached does not know. */
    UNKNOWN(null);

    private static final StatsGroup[] ALL = values();

    /** The name "stats" takes for the group, ASCII; null for none. */
    private final byte[] name;

    StatsGroup(String name) {
        this.name = name == null ? null : name.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * @param line a parsed "stats ..." line (token 0 is "stats"; tokens after the group are ignored)
     * @return the group it names
     */
    static StatsGroup of(CommandLine line) {
        if (line.count() == 1) {
            return GENERAL;
        }
        for (StatsGroup group : ALL) {
            if (group.name != null && line.is(1, group.name)) {
                return group;
            }
        }
        return UNKNOWN;
    }
}
