package dev.mnemo.server;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;

/**
 * The command family a request belongs to, for the latency histograms ({@link RequestLatency}):
 * read from the request's first bytes — the binary protocol's opcode, or the text protocol's
 * first token — without parsing the request and without allocating. gat and gats count as touch
 * (they are memcached's get-and-touch); cas, add, replace, append and prepend as set; every meta
 * command (mg, ms, md, ma, mn, me) as meta; anything else (stats, version, flush_all, an unknown
 * command, the rest of a multi-get line too long for one read) as other.
 *
 * <p>Stateless and thread-safe.
 */
enum CommandFamily {
    GET("get"), SET("set"), DELETE("delete"), INCR_DECR("incr_decr"), TOUCH("touch"), META("meta"), OTHER("other");

    /** The families in ordinal order. */
    static final CommandFamily[] ALL = values();

    /** The binary protocol's magic byte of a request (protocol_binary.txt). */
    private static final int BINARY_REQUEST = 0x80;

    /** The longest text command name of a family other than {@link #OTHER}, in bytes ("replace", "prepend"). */
    private static final int LONGEST_NAME = 7;

    /** Family by binary opcode. */
    private static final CommandFamily[] BY_OPCODE = new CommandFamily[256];

    /** Text command names packed into a long (one byte each, big-endian), sorted; and their families. */
    private static final long[] NAMES;
    private static final CommandFamily[] NAME_FAMILIES;

    static {
        Arrays.fill(BY_OPCODE, OTHER);
        opcodes(GET, 0x00, 0x09, 0x0c, 0x0d);                                           // get, getq, getk, getkq
        opcodes(SET, 0x01, 0x02, 0x03, 0x0e, 0x0f, 0x11, 0x12, 0x13, 0x19, 0x1a);       // set … prependq
        opcodes(DELETE, 0x04, 0x14);                                                    // delete, deleteq
        opcodes(INCR_DECR, 0x05, 0x06, 0x15, 0x16);                                     // increment … decrementq
        opcodes(TOUCH, 0x1c, 0x1d, 0x1e, 0x23, 0x24);                                   // touch, gat, gatq, gatk, gatkq

        String[][] names = {
            {"get", "GET"}, {"gets", "GET"},
            {"set", "SET"}, {"add", "SET"}, {"replace", "SET"}, {"append", "SET"}, {"prepend", "SET"}, {"cas", "SET"},
            {"delete", "DELETE"}, {"incr", "INCR_DECR"}, {"decr", "INCR_DECR"},
            {"touch", "TOUCH"}, {"gat", "TOUCH"}, {"gats", "TOUCH"},
            {"mg", "META"}, {"ms", "META"}, {"md", "META"}, {"ma", "META"}, {"mn", "META"}, {"me", "META"},
        };
        Arrays.sort(names, (a, b) -> Long.compare(pack(a[0]), pack(b[0])));
        NAMES = new long[names.length];
        NAME_FAMILIES = new CommandFamily[names.length];
        for (int i = 0; i < names.length; i++) {
            NAMES[i] = pack(names[i][0]);
            NAME_FAMILIES[i] = valueOf(names[i][1]);
        }
    }

    private final String label;

    CommandFamily(String label) {
        this.label = label;
    }

    /** @return the value of the {@code family} label: get, set, delete, incr_decr, touch, meta or other */
    String label() {
        return label;
    }

    /**
     * @param in    a connection's or datagram's inbound bytes
     * @param start the index of a request's first byte; the bytes up to {@code in.writerIndex()}
     *              are read, whatever the reader index
     * @return the request's family
     */
    static CommandFamily of(ByteBuf in, int start) {
        int end = in.writerIndex();
        if (start >= end) {
            return OTHER;
        }
        if (in.getUnsignedByte(start) == BINARY_REQUEST) {
            return start + 1 < end ? BY_OPCODE[in.getUnsignedByte(start + 1)] : OTHER;
        }
        long name = 0;
        for (int i = start; i < end; i++) {
            int b = in.getUnsignedByte(i);
            if (b == ' ' || b == '\r' || b == '\n') {
                int found = Arrays.binarySearch(NAMES, name);
                return found >= 0 ? NAME_FAMILIES[found] : OTHER;
            }
            if (i - start == LONGEST_NAME) {
                return OTHER;
            }
            name = name << 8 | b;
        }
        return OTHER;
    }

    private static void opcodes(CommandFamily family, int... opcodes) {
        for (int opcode : opcodes) {
            BY_OPCODE[opcode] = family;
        }
    }

    private static long pack(String name) {
        long packed = 0;
        for (int i = 0; i < name.length(); i++) {
            packed = packed << 8 | name.charAt(i);
        }
        return packed;
    }
}
