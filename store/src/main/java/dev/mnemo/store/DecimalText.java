package dev.mnemo.store;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Unsigned 64-bit decimal numbers as incr/decr read and write them in item values
 * (protocol.txt "Increment/Decrement"). Parsing follows memcached 1.6 ({@code safe_strtoull}):
 * optional leading white space and sign, at least one digit, a value that fits 64 bits
 * unsigned, then the end of the value or white space; a '-' is refused unless the result is
 * below 2^63. Stateless, allocation-free, thread-safe.
 */
final class DecimalText {

    /** The longest decimal text of an unsigned 64-bit number, in bytes. */
    static final int MAX_DIGITS = 20;

    /** 10^19, the smallest unsigned 64-bit number of {@link #MAX_DIGITS} digits. */
    private static final long TEN_TO_THE_19 = Long.parseUnsignedLong("10000000000000000000");

    private DecimalText() {
    }

    /** @return whether {@link #parse} accepts the bytes */
    static boolean isNumber(MemorySegment m, long offset, int length) {
        return scan(m, offset, length, true) != 0;
    }

    /** @return the number, for bytes {@link #isNumber} accepts */
    static long parse(MemorySegment m, long offset, int length) {
        return scan(m, offset, length, false);
    }

    /** With {@code check}, returns 1 for a number and 0 otherwise; without, returns the number. */
    private static long scan(MemorySegment m, long offset, int length, boolean check) {
        int i = 0;
        while (i < length && isSpace(m.get(ValueLayout.JAVA_BYTE, offset + i))) {
            i++;
        }
        boolean negative = false;
        if (i < length) {
            byte sign = m.get(ValueLayout.JAVA_BYTE, offset + i);
            if (sign == '+' || sign == '-') {
                negative = sign == '-';
                i++;
            }
        }
        int digitsStart = i;
        long value = 0;
        boolean overflow = false;
        for (; i < length; i++) {
            int d = m.get(ValueLayout.JAVA_BYTE, offset + i) - '0';
            if (d < 0 || d > 9) {
                break;
            }
            long high = Math.unsignedMultiplyHigh(value, 10);
            long times10 = value * 10;
            long sum = times10 + d;
            if (high != 0 || Long.compareUnsigned(sum, times10) < 0) {
                overflow = true;
            }
            value = sum;
        }
        if (negative) {
            value = -value;
        }
        if (!check) {
            return value;
        }
        boolean ok = i > digitsStart && !overflow
                && (i == length || isSpace(m.get(ValueLayout.JAVA_BYTE, offset + i)))
                && !(negative && value < 0);
        return ok ? 1 : 0;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || (b >= '\t' && b <= '\r');
    }

    /** @return the number of decimal digits of {@code value} read as unsigned */
    static int length(long value) {
        if (Long.compareUnsigned(value, TEN_TO_THE_19) >= 0) {
            return MAX_DIGITS;
        }
        if (value < 0) {
            return MAX_DIGITS - 1; // 2^63 to 10^19 - 1
        }
        int n = 1;
        for (long v = value; v >= 10; v /= 10) {
            n++;
        }
        return n;
    }

    /**
     * Writes {@code value} (unsigned) as decimal text, then spaces up to {@code width} bytes.
     *
     * @param width the bytes to fill, at least {@link #length}(value)
     */
    static void write(long value, MemorySegment m, long offset, int width) {
        int digits = length(value);
        for (int i = digits; i < width; i++) {
            m.set(ValueLayout.JAVA_BYTE, offset + i, (byte) ' ');
        }
        long v = value;
        for (int i = digits - 1; i >= 0; i--) {
            long q = Long.divideUnsigned(v, 10);
            m.set(ValueLayout.JAVA_BYTE, offset + i, (byte) ('0' + (v - q * 10)));
            v = q;
        }
    }
}
