package dev.mnemo.protocol;

import io.netty.buffer.ByteBuf;

/**
 * A flyweight over one text-protocol command line in a connection's inbound buffer: the
 * line's tokens as (index, length) pairs into the buffer, never copied, and memcached's rules
 * for reading numbers out of them.
 *
 * <p>Tokens are separated by one or more spaces, and only spaces, as in memcached's
 * {@code tokenize_command}: a tab or other control byte is part of a token (so of a key).
 * At most {@link #MAX_TOKENS} tokens are recorded; {@link #count()} counts them all.
 *
 * <p>Numbers follow the C library functions memcached uses (its {@code safe_strto*}): an
 * optional sign, decimal digits, nothing else; overflow is an error; an unsigned number must
 * not be negative ("-0" is allowed, as there). The parsed value is left in {@link #number()}.
 *
 * <p>Not thread-safe: one instance per connection, reused for every request.
 */
final class CommandLine {

    /** Tokens recorded per line; enough for every command but the key lists of get/gets/gat/gats. */
    static final int MAX_TOKENS = 8;

    /** The largest unsigned 64-bit value that can be multiplied by 10 without overflow. */
    private static final long MAX_UNSIGNED_BEFORE_TIMES_10 = Long.divideUnsigned(-1L, 10);

    private final int[] starts = new int[MAX_TOKENS];
    private final int[] lengths = new int[MAX_TOKENS];
    private ByteBuf buf;
    private int count;
    private int lineEnd;
    private long number;

    /**
     * Splits the line {@code [start, end)} of {@code buf} (its end-of-line bytes excluded).
     *
     * @param buf   the inbound buffer
     * @param start index of the line's first byte
     * @param end   index just past its last byte
     */
    void parse(ByteBuf buf, int start, int end) {
        this.buf = buf;
        this.lineEnd = end;
        int n = 0;
        int i = start;
        while (i < end) {
            if (buf.getByte(i) == ' ') {
                i++;
                continue;
            }
            int tokenStart = i;
            while (i < end && buf.getByte(i) != ' ') {
                i++;
            }
            if (n < MAX_TOKENS) {
                starts[n] = tokenStart;
                lengths[n] = i - tokenStart;
            }
            n++;
        }
        count = n;
    }

    /** @return the number of tokens on the line (may exceed {@link #MAX_TOKENS}) */
    int count() {
        return count;
    }

    /** @return index just past the line's last byte (its end-of-line excluded) */
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

    /** @return whether the token holds exactly the ASCII bytes of {@code text} */
    boolean is(int token, byte[] text) {
        if (lengths[token] != text.length) {
            return false;
        }
        int s = starts[token];
        for (int i = 0; i < text.length; i++) {
            if (buf.getByte(s + i) != text[i]) {
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
     * Parses an unsigned 64-bit decimal (memcached's {@code safe_strtoull}), e.g. an incr delta
     * or a CAS unique. Values of 2^63 and above are left in {@link #number()} as negative longs.
     *
     * @return false if the token is not such a number
     */
    boolean parseUnsigned(int token) {
        int i = starts[token];
        int end = i + lengths[token];
        boolean negative = false;
        byte b = buf.getByte(i);
        if (b == '+' || b == '-') {
            negative = b == '-';
            i++;
        }
        if (i == end) {
            return false;
        }
        long value = 0;
        for (; i < end; i++) {
            int digit = buf.getByte(i) - '0';
            if (digit < 0 || digit > 9) {
                return false;
            }
            if (Long.compareUnsigned(value, MAX_UNSIGNED_BEFORE_TIMES_10) > 0) {
                return false;
            }
            long times10 = value * 10;
            long sum = times10 + digit;
            if (Long.compareUnsigned(sum, times10) < 0) {
                return false;
            }
            value = sum;
        }
        if (negative && value != 0) {
            return false;
        }
        number = value;
        return true;
    }

    /**
     * Parses a signed 64-bit decimal (memcached's {@code safe_strtol} on a 64-bit long), e.g.
     * an exptime or a data block length.
     *
     * @return false if the token is not such a number
     */
    boolean parseSigned(int token) {
        int i = starts[token];
        int end = i + lengths[token];
        boolean negative = false;
        byte b = buf.getByte(i);
        if (b == '+' || b == '-') {
            negative = b == '-';
            i++;
        }
        if (i == end) {
            return false;
        }
        long value = 0;
        for (; i < end; i++) {
            int digit = buf.getByte(i) - '0';
            if (digit < 0 || digit > 9) {
                return false;
            }
            if (value < (Long.MIN_VALUE + digit) / 10) {
                return false;
            }
            value = value * 10 - digit;
        }
        if (!negative) {
            if (value == Long.MIN_VALUE) {
                return false;
            }
            value = -value;
        }
        number = value;
        return true;
    }
}
