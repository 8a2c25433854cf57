package dev.mnemo.protocol;

import io.netty.util.concurrent.FastThreadLocal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A flyweight over one text-protocol command line in a connection's inbound buffer: the
 * line's tokens as (buffer index, length) pairs, never copied, and memcached's rules for
 * reading numbers out of them. Bytes are read through a {@link MemorySegment} view of the
 * buffer, which the JIT compiles to plain loads (ByteBuf.getByte checks the reference count on
 * every call).
 *
 * <p>Tokens are separated by one or more spaces, and only spaces, as in memcached's
 * {@code tokenize_command}: a tab or other control byte is part of a token (so of a key).
 * At most {@link #MAX_TOKENS} tokens are recorded; {@link #count()} counts them all.
 *
 * <p>Numbers follow the C library functions memcached uses (its {@code safe_strto*} over
 * strtoull/strtol): leading white space, an optional sign, decimal digits, then the end of the
 * token or white space (a {@code \r} inside a token ends the number: "1\rxx" is 1); overflow is
 * an error; an unsigned number must not be negative ("-0" is allowed, as there). The parsed
 * value is left in {@link #number()}.
 *
 * <p>Not thread-safe: one instance per connection, reused for every request; the tokens it
 * records are its thread's, valid until that thread parses another line.
 */
final class CommandLine {

    /**
     * Tokens recorded per line: enough for every command but the key lists of get/gets/gat/gats,
     * and for the meta commands, which memcached refuses at this many tokens.
     */
    static final int MAX_TOKENS = MetaCommand.MAX_TOKENS;

    /** The largest unsigned 64-bit value that can be multiplied by 10 without overflow. */
    private static final long MAX_UNSIGNED_BEFORE_TIMES_10 = Long.divideUnsigned(-1L, 10);

    /**
     * The token arrays, one pair per thread: a line's tokens are read only until its thread parses
     * the next line (a request's line is parsed again from the inbound buffer at every
     * {@link Protocol#process} call), so the connections of an event loop share them instead of
     * each keeping 192 bytes of them (issue 16: the heap a connection holds).
     */
    private static final FastThreadLocal<int[][]> TOKENS = new FastThreadLocal<>() {
        @Override
        protected int[][] initialValue() {
            return new int[][] {new int[MAX_TOKENS], new int[MAX_TOKENS]};
        }
    };

    /** The thread's token arrays as of the last {@link #parse}: first byte index and length of each token. */
    private int[] starts;
    private int[] lengths;
    private MemorySegment memory;
    private long base;
    private int count;
    private int lineEnd;
    private long number;
    private long scanValue;
    private boolean scanNegative;

    /**
     * Splits the line {@code [start, end)} of the inbound buffer (its end-of-line bytes
     * excluded). A NUL byte ends the line, as it ends the C string memcached tokenizes.
     *
     * @param memory the inbound buffer's memory (see {@link BufferMemory})
     * @param base   the offset in {@code memory} of the buffer's index 0, so that buffer index
     *               {@code i} is at {@code base + i}
     * @param start  buffer index of the line's first byte
     * @param end    buffer index just past its last byte
     */
    void parse(MemorySegment memory, long base, int start, int end) {
        int[][] tokens = TOKENS.get();
        this.starts = tokens[0];
        this.lengths = tokens[1];
        this.memory = memory;
        this.base = base;
        int n = 0;
        int i = start;
        while (i < end) {
            byte b = memory.get(ValueLayout.JAVA_BYTE, base + i);
            if (b == 0) {
                break;
            }
            if (b == ' ') {
                i++;
                continue;
            }
            int tokenStart = i;
            while (i < end && (b = memory.get(ValueLayout.JAVA_BYTE, base + i)) != ' ' && b != 0) {
                i++;
            }
            if (n < MAX_TOKENS) {
                starts[n] = tokenStart;
                lengths[n] = i - tokenStart;
            }
            n++;
        }
        count = n;
        lineEnd = i;
    }

    /** @return the byte at buffer index {@code index} of the line last parsed */
    private byte byteAt(int index) {
        return memory.get(ValueLayout.JAVA_BYTE, base + index);
    }

    /** @return the number of tokens on the line (may exceed {@link #MAX_TOKENS}) */
    int count() {
        return count;
    }

    /** @return buffer index just past the line's last byte (its end-of-line or a NUL excluded) */
    int lineEnd() {
        return lineEnd;
    }

    /** @param token token number, below {@link #MAX_TOKENS} @return its first byte's index in the buffer */
    int start(int token) {
        return starts[token];
    }

    /** @param token token number, below {@link #MAX_TOKENS} @return its length in bytes */
    int length(int token) {
        return lengths[token];
    }

    /** @return whether the token's first byte is {@code b} */
    boolean startsWith(int token, byte b) {
        return lengths[token] > 0 && byteAt(starts[token]) == b;
    }

    /**
     * @param token token number, below {@link #count()} (it may be past {@link #MAX_TOKENS})
     * @return whether the token starts with the ASCII bytes of {@code prefix}
     */
    boolean tokenStartsWith(int token, byte[] prefix) {
        int s;
        int length;
        if (token < MAX_TOKENS) {
            s = starts[token];
            length = lengths[token];
        } else {
            int i = starts[MAX_TOKENS - 1] + lengths[MAX_TOKENS - 1];
            s = i;
            for (int t = MAX_TOKENS - 1; t < token; t++) {
                while (byteAt(i) == ' ') {
                    i++;
                }
                s = i;
                while (i < lineEnd && byteAt(i) != ' ') {
                    i++;
                }
            }
            length = i - s;
        }
        if (length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (byteAt(s + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** @return whether the token holds exactly the ASCII bytes of {@code text} */
    boolean is(int token, byte[] text) {
        if (lengths[token] != text.length) {
            return false;
        }
        int s = starts[token];
        for (int i = 0; i < text.length; i++) {
            if (byteAt(s + i) != text[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * memcached's {@code set_noreply_maybe}: whether the last token is "noreply".
     *
     * @return true if the last recorded token is "noreply"
     */
    boolean lastIsNoreply() {
        return count > 0 && count <= MAX_TOKENS && is(count - 1, Ascii.NOREPLY);
    }

    /** @return the value of the last successful parse */
    long number() {
        return number;
    }

    /**
     * Parses an unsigned 64-bit decimal as memcached's {@code safe_strtoull} does, e.g. an incr
     * delta, client flags or a CAS unique. Values of 2^63 and above are left in
     * {@link #number()} as negative longs.
     *
     * @return false if the token is not such a number
     */
    boolean parseUnsigned(int token) {
        return parseUnsigned(starts[token], starts[token] + lengths[token]);
    }

    /**
     * Parses a signed 64-bit decimal as memcached's {@code safe_strtol} does (strtol on a 64-bit
     * long), e.g. an exptime or a data block length.
     *
     * @return false if the token is not such a number
     */
    boolean parseSigned(int token) {
        return parseSigned(starts[token], starts[token] + lengths[token]);
    }

    /** {@link #parseSigned(int)} for the bytes {@code [start, end)} of the line last parsed. */
    private boolean parseSigned(int start, int end) {
        if (!scan(start, end)) {
            return false;
        }
        long value = scanValue;
        if (scanNegative) {
            if (Long.compareUnsigned(value, Long.MIN_VALUE) > 0) {
                return false;
            }
            value = -value;
        } else if (value < 0) {
            return false;
        }
        number = value;
        return true;
    }

    /**
     * {@link #parseUnsigned(int)} for the bytes {@code [start, end)} of the line last parsed (a
     * part of a token, e.g. a meta flag's argument after its letter).
     */
    boolean parseUnsigned(int start, int end) {
        if (!scan(start, end)) {
            return false;
        }
        // strtoull negates a "-" number modulo 2^64; safe_strtoull refuses the result only if it
        // then looks negative as a signed number
        long value = scanNegative ? -scanValue : scanValue;
        if (scanNegative && value < 0) {
            return false;
        }
        number = value;
        return true;
    }

    /**
     * memcached 1.6.18's {@code safe_strtol} for the bytes {@code [start, end)} of the line last
     * parsed: a signed 64-bit number (strtol on a 64-bit long), of which the int32_t it is stored
     * in keeps the low 32 bits, as the C assignment does; e.g. a meta flag's TTL.
     */
    boolean parseInt32(int start, int end) {
        if (!parseSigned(start, end)) {
            return false;
        }
        number = (int) number;
        return true;
    }

    /**
     * The part common to strtoull and strtol, over the bytes {@code [start, end)}: leading white
     * space, an optional sign, digits (at least one), then the end or a white-space byte — what
     * follows that is ignored, as strtol ignores it. Leaves the magnitude, as an unsigned 64-bit
     * number, in {@code scanValue} and the sign in {@code scanNegative}.
     *
     * @return false if there are no digits, they overflow 64 bits, or something else follows them
     */
    private boolean scan(int start, int end) {
        int i = start;
        while (i < end && isCSpace(byteAt(i))) {
            i++;
        }
        scanNegative = false;
        if (i < end && (byteAt(i) == '+' || byteAt(i) == '-')) {
            scanNegative = byteAt(i) == '-';
            i++;
        }
        int digitsStart = i;
        long value = 0;
        boolean overflow = false;
        for (; i < end; i++) {
            int digit = byteAt(i) - '0';
            if (digit < 0 || digit > 9) {
                break;
            }
            if (Long.compareUnsigned(value, MAX_UNSIGNED_BEFORE_TIMES_10) > 0) {
                overflow = true;
            }
            long times10 = value * 10;
            value = times10 + digit;
            if (Long.compareUnsigned(value, times10) < 0) {
                overflow = true;
            }
        }
        if (i == digitsStart || overflow) {
            return false;
        }
        if (i < end && !isCSpace(byteAt(i))) {
            return false;
        }
        scanValue = value;
        return true;
    }

    /** @return C's isspace in the C locale: space, \t, \n, \v, \f, \r */
    private static boolean isCSpace(byte b) {
        return b == ' ' || (b >= '\t' && b <= '\r');
    }
}
