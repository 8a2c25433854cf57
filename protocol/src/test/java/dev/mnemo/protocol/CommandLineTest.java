package dev.mnemo.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandLineTest {

    private final CommandLine line = new CommandLine();

    private CommandLine parse(String text) {
        MemorySegment memory = MemorySegment.ofArray(("XX" + text + "YY").getBytes(StandardCharsets.ISO_8859_1));
        line.parse(memory, 0, 2, 2 + text.length());
        return line;
    }

    @Test
    void splitsOnRunsOfSpacesOnly() {
        String text = "  set\tx  k 0   0 1 ";
        parse(text);
        assertEquals(5, line.count());
        assertEquals(4, line.start(0));
        assertEquals(5, line.length(0), "a tab is part of a token, as in memcached");
        assertEquals(1, line.length(1));
        assertEquals(2 + text.length(), line.lineEnd());
    }

    @Test
    void countsTokensBeyondThoseItRecords() {
        parse("get a b c d e f g h i j k");
        assertEquals(12, line.count());
        assertFalse(line.lastIsNoreply());
    }

    @Test
    void nulEndsTheLine() {
        parse("get a\u0000b c");
        assertEquals(2, line.count());
        assertEquals(1, line.length(1));
        assertEquals(2 + 5, line.lineEnd());
    }

    @Test
    void emptyLineHasNoTokens() {
        assertEquals(0, parse("").count());
        assertEquals(0, parse("    ").count());
    }

    @Test
    void noreplyMustBeTheWholeLastToken() {
        assertTrue(parse("set a 0 0 1 noreply").lastIsNoreply());
        assertFalse(parse("set a 0 0 1 noreplyx").lastIsNoreply());
        assertFalse(parse("flush_all noreply 2").lastIsNoreply());
    }

    @ParameterizedTest
    @CsvSource({
            "0, 0", "+5, 5", "-0, 0", "4294967297, 4294967297",
            "18446744073709551615, -1", "18446744073709551610, -6", "0018, 18",
            "-9223372036854775809, 9223372036854775807"})
    void parsesUnsignedAsStrtoull(String token, long expected) {
        assertTrue(parse(token).parseUnsigned(0), token);
        assertEquals(expected, line.number());
    }

    @ParameterizedTest
    @CsvSource({"-1", "18446744073709551616", "99999999999999999999", "abc", "1a", "+", "-", "1.5"})
    void rejectsWhatStrtoullRejects(String token) {
        assertFalse(parse(token).parseUnsigned(0), token);
    }

    @ParameterizedTest
    @CsvSource({
            "0, 0", "-1, -1", "+7, 7", "2592000, 2592000", "9223372036854775807, 9223372036854775807",
            "-9223372036854775808, -9223372036854775808"})
    void parsesSignedAsStrtol(String token, long expected) {
        assertTrue(parse(token).parseSigned(0), token);
        assertEquals(expected, line.number());
    }

    @ParameterizedTest
    @CsvSource({"9223372036854775808", "-9223372036854775809", "abc", "--1", "1-", "+-1"})
    void rejectsWhatStrtolRejects(String token) {
        assertFalse(parse(token).parseSigned(0), token);
    }

    @Test
    void whiteSpaceBeforeANumberIsSkippedAndAfterItEndsTheNumberAsInC() {
        assertTrue(parse("1\rxx").parseUnsigned(0));
        assertEquals(1, line.number());
        assertTrue(parse("\t\u000b5\t").parseSigned(0));
        assertEquals(5, line.number());
        assertFalse(parse("\t").parseSigned(0));
        assertFalse(parse("\r-").parseUnsigned(0));
    }

    @Test
    void writesUnsignedDecimals() {
        ByteBuf out = Unpooled.buffer(8);
        for (long v : new long[] {0, 7, 10, 4294967295L, Long.MAX_VALUE, Long.MIN_VALUE, -1}) {
            out.clear();
            Ascii.writeUnsigned(out, v);
            assertEquals(Long.toUnsignedString(v), out.toString(StandardCharsets.US_ASCII));
            byte[] array = new byte[24];
            int end = Ascii.putUnsigned(array, 2, v);
            assertEquals(Long.toUnsignedString(v), new String(array, 2, end - 2, StandardCharsets.US_ASCII));
        }
    }
}
