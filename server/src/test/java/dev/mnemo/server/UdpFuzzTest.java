package dev.mnemo.server;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.mnemo.protocol.NegotiatingProtocol;
import dev.mnemo.protocol.Protocol;
import dev.mnemo.protocol.ReplyGrammar;
import dev.mnemo.protocol.Settings;
import dev.mnemo.protocol.TestServer;
import dev.mnemo.store.ManualClock;
import dev.mnemo.store.Store;
import dev.mnemo.store.StoreReset;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzz target of UDP datagrams (protocol.txt "UDP protocol"): up to 8 datagrams
 * the input chooses — each with the 8-byte frame header the input writes, or one the harness
 * makes valid (request ID from the input, sequence 0, total 1) — handed to {@link UdpHandler}
 * on an {@link EmbeddedChannel}, the server's own path, on an empty store (the test JVM's one
 * store, emptied back to a new store's state before each input: {@link StoreReset#clear}). The handler
 * is called directly, so an exception from it reaches the fuzzer instead of Netty's
 * exceptionCaught. Without JAZZER_FUZZ it replays the committed corpus in
 * {@code src/test/resources/dev/mnemo/server/UdpFuzzTestInputs/datagrams}.
 *
 * <p>Oracles: no exception escapes; every reply datagram carries the request's ID, sequence
 * numbers 0 … n-1 with total n and at most 1,392 payload bytes; each reassembled reply is whole
 * replies of the protocol the datagram's first byte chose ({@link ReplyGrammar}); the store's
 * bytes stay within its limit; and afterwards a "version" datagram gets its one-datagram reply.
 */
class UdpFuzzTest {

    static {
        // a datagram's "verbosity 2" would log every later command line at INFO: see TextConnectionFuzzer
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }

    private static final long MEMORY = 8L << 20;
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);
    private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 11211);
    private static final Settings SETTINGS = new Settings(MEMORY, 1024, 11211, 11211, "127.0.0.1", 4, 1 << 20, true, false);
    /** Kept for the test JVM's life and emptied before each input; Jazzer runs one input at a time. */
    private static Store store;

    @FuzzTest(maxDuration = "30s")
    void datagrams(FuzzedDataProvider data) throws Exception {
        if (store == null) {
            store = Store.builder().memoryLimit(MEMORY).clock(new ManualClock(1_700_000_000L))
                    .sweepExpiredInBackground(false).open();
        } else {
            StoreReset.clear(store);
        }
        UdpHandler handler = new UdpHandler(new NegotiatingProtocol(store, new TestServer(SETTINGS), Protocol.NO_CONNECTION),
                new LoopCounters(LoopCounters.AHEAD_BUDGET_BYTES));
        EmbeddedChannel channel = new EmbeddedChannel(handler);
        try {
            ChannelHandlerContext ctx = channel.pipeline().context(handler);
            int datagrams = data.consumeInt(1, 8);
            for (int i = 0; i < datagrams && data.remainingBytes() > 0; i++) {
                boolean validHeader = data.consumeBoolean();
                int requestId = data.consumeShort() & 0xFFFF;
                byte[] body = data.consumeBytes(data.consumeInt(0, 1400));
                byte[] datagram = validHeader ? framed(requestId, body) : body;
                int replyId = datagram.length >= 2 ? ((datagram[0] & 0xFF) << 8) | (datagram[1] & 0xFF) : -1;
                boolean binary = datagram.length > 8 && (datagram[8] & 0xFF) == 0x80;
                serve(handler, ctx, datagram);
                checkReplies(channel, replyId, binary);
            }
            assertTrue(store.stats().bytes() <= MEMORY, "store bytes above the memory limit");
            serve(handler, ctx, framed(0xBEEF, "version\r\n".getBytes(StandardCharsets.US_ASCII)));
            DatagramPacket reply = channel.readOutbound();
            assertTrue(reply != null, "no reply to version");
            String text = reply.content().toString(StandardCharsets.ISO_8859_1);
            reply.release();
            assertTrue(text.startsWith("\u00be\u00ef\0\0\0\1\0\0VERSION "), "version's reply: " + text);
            assertNull(channel.readOutbound(), "one datagram only");
            channel.checkException();
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    private static void serve(UdpHandler handler, ChannelHandlerContext ctx, byte[] datagram) {
        handler.channelRead(ctx, new DatagramPacket(Unpooled.wrappedBuffer(datagram), SERVER, CLIENT));
        handler.channelReadComplete(ctx);
    }

    /** Reads every datagram the last request datagram produced and checks framing and grammar. */
    private static void checkReplies(EmbeddedChannel channel, int requestId, boolean binary) {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        int expectedSequence = 0;
        int total = -1;
        for (DatagramPacket packet; (packet = channel.readOutbound()) != null; ) {
            try {
                assertEquals(CLIENT, packet.recipient(), "a reply goes to the sender");
                ByteBuf b = packet.content();
                assertTrue(b.readableBytes() > UdpFrames.HEADER_BYTES, "a reply datagram with no payload");
                assertTrue(b.readableBytes() <= UdpFrames.HEADER_BYTES + UdpFrames.MAX_PAYLOAD_BYTES, "datagram too long");
                assertEquals(requestId, b.getUnsignedShort(b.readerIndex()), "request ID");
                int sequence = b.getUnsignedShort(b.readerIndex() + 2);
                int count = b.getUnsignedShort(b.readerIndex() + 4);
                assertEquals(0, b.getUnsignedShort(b.readerIndex() + 6), "reserved");
                if (total < 0) {
                    total = count;
                }
                assertEquals(expectedSequence, sequence, "sequence number");
                assertEquals(total, count, "total datagrams");
                byte[] payload = new byte[b.readableBytes() - UdpFrames.HEADER_BYTES];
                b.getBytes(b.readerIndex() + UdpFrames.HEADER_BYTES, payload);
                message.writeBytes(payload);
                if (++expectedSequence == total) {
                    check(message.toByteArray(), binary);
                    message.reset();
                    expectedSequence = 0;
                    total = -1;
                }
            } finally {
                packet.release();
            }
        }
        assertEquals(-1, total, "a reply missing datagrams");
    }

    private static void check(byte[] reply, boolean binary) {
        if (binary) {
            ReplyGrammar.checkBinary(reply);
        } else {
            ReplyGrammar.checkText(reply);
        }
    }

    private static byte[] framed(int requestId, byte[] body) {
        return ByteBuffer.allocate(8 + body.length).putShort((short) requestId).putShort((short) 0).putShort((short) 1)
                .putShort((short) 0).put(body).array();
    }
}
