package dev.mnemo.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Storage, retrieval, touch and cas commands: replies byte-exact with memcached 1.6.18. */
class StorageAndRetrievalTest extends ProtocolTestBase {

    private static final Pattern GETS_REPLY = Pattern.compile("VALUE a 0 1 (\\d+)\r\nx\r\nEND\r\n");

    private long casOfA() {
        Matcher m = GETS_REPLY.matcher(send("gets a\r\n"));
        assertTrue(m.matches());
        return Long.parseLong(m.group(1));
    }

    @Test
    void setThenGet() {
        assertEquals("STORED\r\n", send("set a 5 0 1\r\nx\r\n"));
        assertEquals("VALUE a 5 1\r\nx\r\nEND\r\n", send("get a\r\n"));
        assertEquals("END\r\n", send("get b\r\n"));
    }

    @Test
    void dataBlockMayHoldAnyBytesIncludingCrLf() {
        assertEquals("STORED\r\n", send("set a 0 0 5\r\nx\r\n\0\r\r\n"));
        assertEquals("VALUE a 0 5\r\nx\r\n\0\r\r\nEND\r\n", send("get a\r\n"));
        assertEquals("STORED\r\n", send("set e 0 0 0\r\n\r\n"));
        assertEquals("VALUE e 0 0\r\n\r\nEND\r\n", send("get e\r\n"));
    }

    @Test
    void multiGetAnswersHitsInOrderIncludingRepeats() {
        send("set a 0 0 1\r\nx\r\nset c 3 0 2\r\nyz\r\n");
        assertEquals("VALUE a 0 1\r\nx\r\nVALUE c 3 2\r\nyz\r\nVALUE a 0 1\r\nx\r\nEND\r\n",
                send("get a b c a\r\n"));
        assertEquals("VALUE a 0 1\r\nx\r\nEND\r\n", send("  get   a   \r\n"));
    }

    @Test
    void bareNewlineEndsALine() {
        assertEquals("STORED\r\n", send("set a 0 0 1\nx\r\n"));
        assertEquals("VALUE a 0 1\r\nx\r\nEND\r\n", send("get a\n"));
    }

    @Test
    void keysMayHoldControlBytesButNotSpaces() {
        assertEquals("STORED\r\n", send("set g\u0001h\th 0 0 1\r\nx\r\n"));
        assertEquals("VALUE g\u0001h\th 0 1\r\nx\r\nEND\r\n", send("get g\u0001h\th\r\n"));
        String key = "k".repeat(250);
        assertEquals("STORED\r\n", send("set " + key + " 0 0 1\r\nx\r\n"));
        assertEquals("VALUE " + key + " 0 1\r\nx\r\nEND\r\n", send("get " + key + "\r\n"));
    }

    @Test
    void clientFlagsAre32BitsAsMemcachedKeepsThem() {
        assertEquals("STORED\r\n", send("set a 4294967295 0 1\r\nx\r\n"));
        assertEquals("VALUE a 4294967295 1\r\nx\r\nEND\r\n", send("get a\r\n"));
        // memcached parses 64 bits and keeps the low 32
        assertEquals("STORED\r\n", send("set a 4294967297 0 1\r\nx\r\n"));
        assertEquals("VALUE a 1 1\r\nx\r\nEND\r\n", send("get a\r\n"));
        assertEquals("CLIENT_ERROR bad command line format\r\nERROR\r\n", send("set a 18446744073709551616 0 1\r\nx\r\n"));
        assertEquals("CLIENT_ERROR bad command line format\r\nERROR\r\n", send("set a -1 0 1\r\nx\r\n"));
    }

    @Test
    void addReplaceAppendPrepend() {
        assertEquals("STORED\r\n", send("add a 0 0 1\r\nx\r\n"));
        assertEquals("NOT_STORED\r\n", send("add a 0 0 1\r\ny\r\n"));
        assertEquals("NOT_STORED\r\n", send("replace zz 0 0 1\r\nx\r\n"));
        assertEquals("NOT_STORED\r\n", send("append zz 0 0 1\r\nx\r\n"));
        assertEquals("NOT_STORED\r\n", send("prepend zz 0 0 1\r\nx\r\n"));
        assertEquals("STORED\r\n", send("prepend a 7 0 1\r\np\r\n"));
        assertEquals("STORED\r\n", send("append a 7 0 1\r\ns\r\n"));
        assertEquals("VALUE a 0 3\r\npxs\r\nEND\r\n", send("get a\r\n"));
        assertEquals("STORED\r\n", send("replace a 2 0 1\r\nr\r\n"));
        assertEquals("VALUE a 2 1\r\nr\r\nEND\r\n", send("get a\r\n"));
    }

    @Test
    void casStoresOnlyWithTheCurrentUnique() {
        assertEquals("NOT_FOUND\r\n", send("cas a 0 0 1 1\r\nx\r\n"));
        send("set a 0 0 1\r\nx\r\n");
        long cas = casOfA();
        assertEquals("EXISTS\r\n", send("cas a 0 0 1 " + (cas + 1) + "\r\ny\r\n"));
        assertEquals("STORED\r\n", send("cas a 0 0 1 " + cas + "\r\nx\r\n"));
        assertNotEquals(cas, casOfA());
        assertEquals("EXISTS\r\n", send("cas a 0 0 1 " + cas + " x\r\nx\r\n"), "a 7th token that is not noreply is ignored");
        assertEquals("ERROR\r\nERROR\r\n", send("cas a 0 0 1\r\nx\r\n"));
        assertEquals("CLIENT_ERROR bad command line format\r\nERROR\r\n", send("cas a 0 0 1 abc\r\nx\r\n"));
        assertEquals("CLIENT_ERROR bad command line format\r\nERROR\r\n", send("cas a 0 0 1 -1\r\nx\r\n"));
    }

    @Test
    void getsAndGatsPrintTheCasUnique() {
        send("set a 0 0 1\r\nx\r\n");
        long cas = casOfA();
        assertEquals("VALUE a 0 1 " + cas + "\r\nx\r\nEND\r\n", send("gats 100 a\r\n"));
        assertEquals("VALUE a 0 1\r\nx\r\nEND\r\n", send("gat 100 a b\r\n"));
    }

    @Test
    void exptimeIsRelativeUpTo30DaysThenAbsoluteAndNegativeIsExpired() {
        send("set r 0 10 1\r\nx\r\nset abs 0 " + (START + 100) + " 1\r\nx\r\nset neg 0 -1 1\r\nx\r\n");
        assertEquals("END\r\n", send("get neg\r\n"));
        clock.advance(9);
        assertEquals("VALUE r 0 1\r\nx\r\nEND\r\n", send("get r\r\n"));
        clock.advance(1);
        assertEquals("END\r\n", send("get r\r\n"));
        assertEquals("VALUE abs 0 1\r\nx\r\nEND\r\n", send("get abs\r\n"));
        clock.advance(90);
        assertEquals("END\r\n", send("get abs\r\n"));
    }

    @Test
    void touchAndGatSetANewExptime() {
        assertEquals("NOT_FOUND\r\n", send("touch a 10\r\n"));
        send("set a 0 10 1\r\nx\r\n");
        assertEquals("TOUCHED\r\n", send("touch a 100\r\n"));
        clock.advance(50);
        assertEquals("VALUE a 0 1\r\nx\r\nEND\r\n", send("gat 10 a\r\n"));
        clock.advance(10);
        assertEquals("END\r\n", send("get a\r\n"));
        send("set b 0 0 1\r\nx\r\n");
        assertEquals("TOUCHED\r\n", send("touch b -1\r\n"));
        assertEquals("END\r\n", send("get b\r\n"));
        assertEquals("TOUCHED\r\n", send("set c 0 0 1 noreply\r\nx\r\ntouch c 10 x\r\n"), "a 4th token that is not noreply is ignored");
    }

    @Test
    void touchAndGatRejectBadExptime() {
        assertEquals("CLIENT_ERROR invalid exptime argument\r\n", send("touch a abc\r\n"));
        assertEquals("CLIENT_ERROR invalid exptime argument\r\n", send("gat abc a\r\n"));
        assertEquals("END\r\n", send("gat 100\r\n"));
        assertEquals("ERROR\r\n", send("touch a\r\n"));
        assertEquals("ERROR\r\n", send("touch a 1 2 3\r\n"));
        assertEquals("ERROR\r\nERROR\r\nERROR\r\nERROR\r\n", send("get\r\ngets\r\ngat\r\ngats\r\n"));
    }

    @Test
    void deleteAcceptsMemcachedsLegacyZeroHoldTime() {
        assertEquals("NOT_FOUND\r\n", send("delete a\r\n"));
        send("set a 0 0 1\r\nx\r\n");
        assertEquals("DELETED\r\n", send("delete a 0\r\n"));
        String usage = "CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]\r\n";
        assertEquals(usage, send("delete a 1\r\n"));
        assertEquals(usage, send("delete a x\r\n"));
        assertEquals(usage, send("delete a 0 0\r\n"));
        assertEquals(usage, send("delete a noreply x\r\n"));
        assertEquals("", send("delete a 1 noreply\r\n"));
        assertEquals("ERROR\r\n", send("delete a 0 0 x\r\n"));
        assertEquals("ERROR\r\n", send("delete\r\n"));
        send("set a 0 0 1\r\nx\r\n");
        assertEquals("", send("delete a 0 noreply\r\n"));
        assertEquals("END\r\n", send("get a\r\n"));
    }

    @Test
    void incrAndDecr() {
        send("set n 0 0 2\r\n10\r\n");
        assertEquals("15\r\n", send("incr n 5\r\n"));
        assertEquals("0\r\n", send("decr n 100\r\n"));
        assertEquals("18446744073709551615\r\n", send("incr n 18446744073709551615\r\n"));
        assertEquals("0\r\n", send("incr n 1\r\n"), "incr wraps at 2^64");
        assertEquals("3\r\n", send("incr n +3\r\n"));
        String badDelta = "CLIENT_ERROR invalid numeric delta argument\r\n";
        assertEquals(badDelta, send("incr n -1\r\n"));
        assertEquals(badDelta, send("incr n abc\r\n"));
        assertEquals(badDelta, send("decr n 18446744073709551616\r\n"));
        assertEquals("NOT_FOUND\r\n", send("incr x 1\r\n"));
        assertEquals("NOT_FOUND\r\n", send("decr x 1\r\n"));
        assertEquals("ERROR\r\n", send("incr n\r\n"));
        assertEquals("ERROR\r\n", send("incr n 1 2 3\r\n"));
        assertEquals("4\r\n", send("incr n 1 x\r\n"));
        // as memcached, the store keeps a shorter number in place, padded with spaces
        assertEquals("VALUE n 0 20\r\n4                   \r\nEND\r\n", send("get n\r\n"));
        send("set t 0 0 2\r\nab\r\n");
        assertEquals("CLIENT_ERROR cannot increment or decrement non-numeric value\r\n", send("incr t 1\r\n"));
        assertEquals("CLIENT_ERROR cannot increment or decrement non-numeric value\r\n", send("decr t 1\r\n"));
    }

    @Test
    void noreplySuppressesEveryReply() {
        assertEquals("", send("set a 0 0 1 noreply\r\nx\r\n"));
        assertEquals("", send("add a 0 0 1 noreply\r\ny\r\n"));
        assertEquals("", send("replace a 0 0 1 noreply\r\nz\r\n"));
        assertEquals("", send("append a 0 0 1 noreply\r\nz\r\n"));
        assertEquals("", send("prepend a 0 0 1 noreply\r\nz\r\n"));
        assertEquals("", send("cas a 0 0 1 1 noreply\r\nz\r\n"));
        assertEquals("", send("touch a 100 noreply\r\n"));
        assertEquals("", send("touch a abc noreply\r\n"));
        assertEquals("VALUE a 0 3\r\nzzz\r\nEND\r\n", send("get a\r\n"));
        assertEquals("", send("set n 0 0 1 noreply\r\n1\r\nincr n 5 noreply\r\ndecr n 1 noreply\r\nincr n abc noreply\r\n"));
        assertEquals("VALUE n 0 1\r\n5\r\nEND\r\n", send("get n\r\n"));
        assertEquals("", send("incr a 1 noreply\r\nincr missing 1 noreply\r\n"));
        assertEquals("", send("delete a noreply\r\ndelete a noreply\r\n"));
        assertEquals("ERROR\r\n", send("set a 0 0 1 noreply\r\nxyz\r\n"), "no bad data chunk reply; ERROR for the stray CRLF");
        assertEquals("", send("set " + "k".repeat(251) + " 0 0 1 noreply\r\n"));
        assertEquals("", send("flush_all noreply\r\nflush_all 0 noreply\r\n"));
        assertEquals("END\r\n", send("get n\r\n"));
    }

    @Test
    void setOfAnExistingKeyReplacesIt() {
        send("set a 1 0 3\r\nabc\r\n");
        assertEquals("STORED\r\n", send("set a 2 0 1\r\nx\r\n"));
        assertEquals("VALUE a 2 1\r\nx\r\nEND\r\n", send("get a\r\n"));
    }

    @Test
    void worksOnHeapAndCompositeBuffersToo() {
        TextProtocol protocol = new TextProtocol(store, server, 1);
        CompositeByteBuf in = Unpooled.compositeBuffer();
        in.addComponent(true, Unpooled.copiedBuffer("set a 3 0 5\r\nhel", StandardCharsets.US_ASCII));
        in.addComponent(true, Unpooled.copiedBuffer("lo\r\nget a\r\n", StandardCharsets.US_ASCII));
        CompositeByteBuf out = Unpooled.compositeBuffer();
        out.addComponent(true, Unpooled.buffer(4));
        assertEquals(Outcome.HANDLED, protocol.process(in, out));
        assertEquals(Outcome.HANDLED, protocol.process(in, out));
        assertEquals(Outcome.NEED_MORE_INPUT, protocol.process(in, out));
        assertEquals("STORED\r\nVALUE a 3 5\r\nhello\r\nEND\r\n", out.toString(StandardCharsets.US_ASCII));
        ByteBuf heapIn = Unpooled.wrappedBuffer("xxget a\r\n".getBytes(StandardCharsets.US_ASCII), 2, 7);
        ByteBuf heapOut = Unpooled.buffer(1);
        assertEquals(Outcome.HANDLED, protocol.process(heapIn, heapOut));
        assertEquals("VALUE a 3 5\r\nhello\r\nEND\r\n", heapOut.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void longMultiGetIsAnsweredInPiecesSoRepliesNeverPileUp() {
        String value = "v".repeat(100_000);
        send("set big 3 0 100000\r\n" + value + "\r\n");
        long cas = Long.parseLong(send("gets big\r\n").split("\r\n")[0].split(" ")[4]);
        String request = "get" + " big".repeat(40) + "\r\ngats 0 big  big\r\nversion\r\n";
        ByteBuf in = Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII);
        ByteBuf out = Unpooled.buffer();
        TextProtocol protocol = new TextProtocol(store, server, 1);
        StringBuilder replies = new StringBuilder();
        int calls = 0;
        while (in.isReadable()) {
            int before = in.readerIndex();
            assertEquals(Outcome.HANDLED, protocol.process(in, out));
            assertTrue(in.readerIndex() > before, "each call consumes what it answered");
            assertTrue(out.readableBytes() <= TextRetrievalCommands.OUTPUT_PER_CALL + value.length() + 100, "bounded");
            replies.append(out.toString(StandardCharsets.ISO_8859_1));
            out.clear();
            calls++;
        }
        String hit = "VALUE big 3 100000\r\n" + value + "\r\n";
        String hitWithCas = "VALUE big 3 100000 " + cas + "\r\n" + value + "\r\n";
        assertEquals(hit.repeat(40) + "END\r\n" + hitWithCas.repeat(2) + "END\r\nVERSION " + TextProtocol.VERSION + "\r\n",
                replies.toString());
        assertTrue(calls >= 40, "answered in pieces: " + calls + " calls");
    }
}
