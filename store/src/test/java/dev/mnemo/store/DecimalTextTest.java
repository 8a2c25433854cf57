package dev.mnemo.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.LongStream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link DecimalText} over the whole unsigned 64-bit range, against {@link Long#toUnsignedString}:
 * the edges (0, 1, 2^31±1, 2^32±1, 2^63±1, 2^64-1, powers of ten) and a seeded random sample.
 */
class DecimalTextTest {

    /** @return the edges of the unsigned 64-bit range and 1,000 seeded random numbers */
    static LongStream unsignedNumbers() {
        LongStream.Builder edges = LongStream.builder();
        for (long edge : new long[] {0, 1L << 31, 1L << 32, Long.MIN_VALUE, 0}) {
            edges.add(edge - 1).add(edge).add(edge + 1);
        }
        long power = 1;
        for (int i = 0; i < 19; i++) {
            power *= 10;
            edges.add(power - 1).add(power);
        }
        edges.add(Long.parseUnsignedLong("10000000000000000000") - 1).add(Long.parseUnsignedLong("10000000000000000000"));
        return LongStream.concat(edges.build(), new Random(14).longs(1_000));
    }

    @ParameterizedTest
    @MethodSource("unsignedNumbers")
    void writesTheDigitsOfEveryUnsignedNumber(long value) {
        String expected = Long.toUnsignedString(value);
        assertEquals(expected.length(), DecimalText.length(value));
        MemorySegment m = MemorySegment.ofArray(new byte[DecimalText.MAX_DIGITS + 2]);
        DecimalText.write(value, m, 1, DecimalText.MAX_DIGITS);
        String written = new String(m.asSlice(1, DecimalText.MAX_DIGITS).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                StandardCharsets.US_ASCII);
        assertEquals(expected + " ".repeat(DecimalText.MAX_DIGITS - expected.length()), written);
    }

    @ParameterizedTest
    @MethodSource("unsignedNumbers")
    void parsesTheDigitsOfEveryUnsignedNumber(long value) {
        byte[] text = Long.toUnsignedString(value).getBytes(StandardCharsets.US_ASCII);
        MemorySegment m = MemorySegment.ofArray(text);
        assertTrue(DecimalText.isNumber(m, 0, text.length));
        assertEquals(value, DecimalText.parse(m, 0, text.length));
    }
}
