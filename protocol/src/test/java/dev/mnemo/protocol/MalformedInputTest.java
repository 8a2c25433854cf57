package dev.mnemo.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input, split input and pipelining: handled exactly as memcached 1.6.18 handles them. */
class MalformedInputTest extends ProtocolTestBase {

    private static final String BAD_FORMAT = "CLIENT_ERROR bad command line format\r\n";
    private static final String TOO_LARGE = "SERVER_ERROR object too large for cache\r\n";
    private static final int MAX_ITEM = TestServer.defaultSettings().maxItemSize();

    @ParameterizedTest
    @ValueSource(strings = {"foo\r\n", "\r\n", "   \r\n", "GET a\r\n", "set\r\n", "set a 0 0\r\n",
            "incr a\r\n", "decr 1\r\n", "verbosity\r\n", "verbosity 1 2 3\r\n", "flush_all 1 2 3\r\n",
            "cache_memlimit\r\n", "cache_memlimit 10 20 30\r\n", "mz\r\n", "foo noreply\r\n"})
    void unknownCommandsAndWrongTokenCountsGetError(String request) {
        assertEquals("ERROR\r\n", send(request));
        assertFalse(client.isClosed());
    }

    @Test
    void storageCommandWithTooManyTokensLeavesItsDataToBeParsedAsACommand() {
        assertEquals("ERROR\r\nERROR\r\n", send("set a 0 0 1 2 3\r\nx\r\n"));
        assertEquals("ERROR\r\nERROR\r\n", send("set a 0 0\r\nx\r\n"));
        assertEquals("STORED\r\n", send("set a 0 0 1 noreplyx\r\nx\r\n"));
    }

    @Test
    void keyOver250BytesIsABadCommandLineAndStoresNothing() {
        String key = "k".repeat(251);
        assertEquals(BAD_FORMAT + "ERROR\r\n", send("set " + key + " 0 0 1\r\nx\r\n"));
        assertEquals(BAD_FORMAT, send("get " + key + "\r\n"));
        assertEquals(BAD_FORMAT, send("delete " + key + "\r\n"));
        assertEquals(BAD_FORMAT, send("incr " + key + " 1\r\n"));
        assertEquals(BAD_FORMAT, send("touch " + key + " 1\r\n"));
        assertEquals(BAD_FORMAT, send("get " + "k".repeat(3000) + "\r\n"));
    }

    @Test
    void multiGetWithAnOverlongKeyDiscardsTheHitsAlreadyWritten() {
        send("set a 0 0 1\r\nx\r\n");
        assertEquals(BAD_FORMAT, send("get a " + "k".repeat(251) + " a\r\n"));
        assertEquals("VALUE a 0 1\r\nx\r\nEND\r\n", send("get a\r\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"set a 0 abc 1", "set a 0 0 abc", "set a 0 0 -1", "set a 0 99999999999999999999 1",
            "set a 0 0 2147483647", "set a 0 0 2147483648", "set a abc 0 1"})
    void badNumbersAreABadCommandLineAndTheDataIsNotSwallowed(String line) {
        assertEquals(BAD_FORMAT + "ERROR\r\n", send(line + "\r\nx\r\n"));
        assertEquals("END\r\n", send("get a\r\n"));
    }

    @Test
    void carriageReturnInsideATokenEndsANumberAsInMemcached() {
        assertEquals("STORED\r\nVALUE f 429 1\r\nx\r\nEND\r\n", send("set f 429\r967217 0 1\r\nx\r\nget f\r\n"));
        assertEquals("CLIENT_ERROR bad data chunk\r\nERROR\r\n", send("set a 4294967296 0 1\rxx \nget a\r\n"));
    }

    @Test
    void nulEndsTheCommandLineAsInMemcached() {
        assertEquals("ERROR\r\nERROR\r\nEND\r\n", send("set a\u0000b 0 0 1\r\nx\r\nget a\r\n"));
        assertEquals("STORED\r\nVALUE a 0 1\r\nx\r\nEND\r\n", send("set a 0 0 1\r\nx\r\nget a\u0000b c\r\n"));
        assertEquals("ERROR\r\n", send("delete \u0000 0 0\r\n"));
    }

    @Test
    void lengthKeepsOnlyItsLow32BitsAsInMemcached() {
        assertEquals("STORED\r\n", send("set a 0 0 4294967297\r\nx\r\n"));
        assertEquals("VALUE a 0 1\r\nx\r\nEND\r\n", send("get a\r\n"));
    }

    @Test
    void dataBlockLongerThanItsLengthIsABadChunkAndParsingResumesAfterLengthPlus2() {
        send("set a 5 0 1\r\nx\r\n");
        assertEquals("CLIENT_ERROR bad data chunk\r\nERROR\r\nVALUE a 5 1\r\nx\r\nEND\r\n",
                send("set a 0 0 1\r\nxyz\r\nget a\r\n"));
    }

    @Test
    void dataBlockShorterThanItsLengthSwallowsTheNextBytes() {
        assertEquals("CLIENT_ERROR bad data chunk\r\nERROR\r\n", send("set a 0 0 3\r\nx\r\nget a\r\n"));
        assertEquals("END\r\n", send("get a\r\n"));
    }

    @Test
    void valueOfExactlyMaxItemSizeIsStored() {
        String value = "v".repeat(MAX_ITEM);
        assertEquals("STORED\r\n", send("set big 0 0 " + MAX_ITEM + "\r\n" + value + "\r\n"));
        assertEquals("VALUE big 0 " + MAX_ITEM + "\r\n" + value + "\r\nEND\r\n", send("get big\r\n"));
    }

    @Test
    void overlongValueIsRefusedAtOnceAndDiscardedAcrossReadsWithoutBuffering() {
        send("set a 0 0 1\r\nx\r\n");
        int length = 3 * MAX_ITEM;
        assertEquals(TOO_LARGE, send("set a 0 0 " + length + "\r\n"));
        byte[] chunk = new byte[16 * 1024];
        Arrays.fill(chunk, (byte) 'v');
        int sent = 0;
        while (sent + chunk.length <= length) {
            client.feed(chunk);
            sent += chunk.length;
            assertTrue(client.in.readableBytes() == 0, "discarded as it arrives");
            assertEquals("", client.take());
        }
        client.feed(("v".repeat(length - sent) + "\r\nget a\r\n").getBytes(StandardCharsets.ISO_8859_1));
        assertEquals("END\r\n", client.take(), "a failed set also removes the old item, as in memcached");
    }

    @Test
    void overlongValueWithNoreplyIsDiscardedSilently() {
        String request = "add a 0 0 " + (MAX_ITEM + 1) + " noreply\r\n" + "v".repeat(MAX_ITEM + 1) + "\r\nget a\r\n";
        assertEquals("END\r\n", send(request));
    }

    @Test
    void lineOverMaxLengthWithoutNewlineClosesTheConnection() {
        assertEquals("", send("x".repeat(TextProtocol.MAX_LINE_LENGTH)));
        assertFalse(client.isClosed());
        assertEquals("", send("x"));
        assertTrue(client.isClosed());
        assertEquals(Outcome.CLOSE, client.protocol.process(Unpooled.copiedBuffer("get a\r\n", StandardCharsets.US_ASCII), Unpooled.buffer()));
    }

    @Test
    void longSetLineWithoutNewlineClosesButWithNewlineIsParsed() {
        assertEquals("STORED\r\n", send("set" + " ".repeat(2050) + "a 0 0 1\r\nx\r\n"));
        send("set " + "k".repeat(2100));
        assertTrue(client.isClosed());
    }

    @Test
    void longMultiGetLineMayExceedTheLimitUntilItsNewlineArrives() {
        send("set k1 0 0 1\r\nx\r\n");
        StringBuilder keys = new StringBuilder("  get");
        for (int i = 0; i < 500; i++) {
            keys.append(" k").append(i);
        }
        assertEquals("", send(keys.toString()));
        assertFalse(client.isClosed());
        assertEquals("VALUE k1 0 1\r\nx\r\nEND\r\n", send("\r\n"));
        assertEquals("", send("gets " + "k ".repeat(1100)));
        assertEquals("END\r\n", send("\r\n"));
        assertEquals("", send("gat 0 " + "k ".repeat(1100)));
        assertTrue(client.isClosed(), "memcached makes the exception for get and gets only");
    }

    @Test
    void multiGetLineIsBoundedByTheMaxItemSize() {
        send("get " + "k ".repeat(MAX_ITEM / 2));
        assertTrue(client.isClosed());
    }

    @Test
    void requestsSplitIntoSingleBytesGiveTheSameReplies() {
        String requests = "set a 1 0 3\r\nabc\r\nget a b\r\nincr a 1\r\nset n 0 0 1\r\n5\r\nincr n 2\r\n"
                + "gets zz\r\ndelete a\r\ntouch n 10\r\nset a 0 0 1\r\nxyz\r\nversion\r\n";
        String expected = "STORED\r\nVALUE a 1 3\r\nabc\r\nEND\r\n"
                + "CLIENT_ERROR cannot increment or decrement non-numeric value\r\nSTORED\r\n7\r\n"
                + "END\r\nDELETED\r\nTOUCHED\r\nCLIENT_ERROR bad data chunk\r\nERROR\r\n"
                + "VERSION " + TextProtocol.VERSION + "\r\n";
        assertEquals(expected, client.sendBytewise(requests));
        store.flushAll(0);
        clock.advance(1);
        assertEquals(expected, send(requests));
    }

    @Test
    void incompleteRequestConsumesNothing() {
        ByteBuf in = Unpooled.copiedBuffer("set a 0 0 10\r\n01234", StandardCharsets.US_ASCII);
        ByteBuf out = Unpooled.buffer();
        assertEquals(Outcome.NEED_MORE_INPUT, client.protocol.process(in, out));
        assertEquals(0, in.readerIndex());
        assertEquals(0, out.readableBytes());
        in.writeBytes("56789\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(Outcome.HANDLED, client.protocol.process(in, out));
        assertFalse(in.isReadable());
        assertEquals("STORED\r\n", out.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void manyPipelinedRequestsInOneBuffer() {
        StringBuilder requests = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            requests.append("set key").append(i).append(" ").append(i).append(" 0 ").append(String.valueOf(i).length())
                    .append("\r\n").append(i).append("\r\nget key").append(i).append("\r\n");
            expected.append("STORED\r\nVALUE key").append(i).append(" ").append(i).append(" ")
                    .append(String.valueOf(i).length()).append("\r\n").append(i).append("\r\nEND\r\n");
        }
        assertEquals(expected.toString(), send(requests.toString()));
    }
}
