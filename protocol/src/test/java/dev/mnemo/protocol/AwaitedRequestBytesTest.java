package dev.mnemo.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link Protocol#awaitedRequestBytes()}: once a storage request's command line or binary header
 * has arrived without all its data, the protocol says the whole request's length; otherwise 0.
 */
class AwaitedRequestBytesTest extends ProtocolTestBase {

    private final ByteBuf in = Unpooled.buffer();
    private final ByteBuf out = Unpooled.buffer();

    @AfterEach
    void release() {
        in.release();
        out.release();
    }

    @Test
    void textStorageCommandSaysLineDataBlockAndItsNewline() {
        NegotiatingProtocol protocol = new NegotiatingProtocol(store, server, 1);
        String line = "set a-key 5 0 1000 noreply\r\n";
        assertEquals(0, awaitedAfter(protocol, line.substring(0, 10)), "a partial line says nothing");
        assertEquals(line.length() + 1000 + 2, awaitedAfter(protocol, line.substring(10) + "x".repeat(10)));
        assertEquals(line.length() + 1000 + 2, awaitedAfter(protocol, "x".repeat(989)), "one byte and the newline short");
        assertEquals(Outcome.HANDLED, protocol.process(append("x\r\n"), out));
        assertEquals(0, protocol.awaitedRequestBytes(), "the request is complete");
    }

    @Test
    void casAndMetaSetSayTheirLengthsToo() {
        NegotiatingProtocol protocol = new NegotiatingProtocol(store, server, 1);
        String cas = "cas k 0 0 300 12345\r\n";
        assertEquals(cas.length() + 302, awaitedAfter(protocol, cas));
        in.clear();
        String ms = "ms k 4000 T0 F3\r\n";
        assertEquals(ms.length() + 4002, awaitedAfter(protocol, ms + "abc"));
    }

    @Test
    void refusedOrAnsweredRequestsAwaitNothing() {
        NegotiatingProtocol protocol = new NegotiatingProtocol(store, server, 1);
        int tooLarge = TestServer.defaultSettings().maxItemSize() + 1;
        assertEquals(Outcome.HANDLED, protocol.process(append("set k 0 0 " + tooLarge + "\r\n"), out));
        assertEquals("SERVER_ERROR object too large for cache\r\n", out.toString(StandardCharsets.US_ASCII));
        assertEquals(0, awaitedAfter(protocol, "x".repeat(1000)), "a refused block is discarded as it arrives, not held");
        protocol.reset();
        in.clear();
        out.clear();
        assertEquals(Outcome.HANDLED, protocol.process(append("set k 0 0 notanumber\r\n"), out), "a bad line is answered");
        assertEquals(0, protocol.awaitedRequestBytes());
        in.clear();
        assertEquals(0, awaitedAfter(protocol, "get k"), "a retrieval line still arriving");
    }

    @Test
    void binarySetSaysHeaderAndBody() {
        NegotiatingProtocol protocol = new NegotiatingProtocol(store, server, 1);
        ByteBuf request = Unpooled.buffer();
        request.writeByte(0x80).writeByte(0x01).writeShort(3).writeByte(8).writeByte(0).writeShort(0);
        request.writeInt(8 + 3 + 5000).writeInt(7).writeLong(0);
        request.writeInt(0).writeInt(0).writeBytes("key".getBytes(StandardCharsets.US_ASCII));
        in.writeBytes(request, 0, 20);
        assertEquals(Outcome.NEED_MORE_INPUT, protocol.process(in, out));
        assertEquals(0, protocol.awaitedRequestBytes(), "a partial header says nothing");
        in.writeBytes(request, 20, request.readableBytes() - 20);
        assertEquals(Outcome.NEED_MORE_INPUT, protocol.process(in, out));
        assertEquals(BinaryHeader.LENGTH + 8 + 3 + 5000, protocol.awaitedRequestBytes());
        request.release();
    }

    private int awaitedAfter(Protocol protocol, String bytes) {
        assertEquals(Outcome.NEED_MORE_INPUT, protocol.process(append(bytes), out));
        return protocol.awaitedRequestBytes();
    }

    private ByteBuf append(String bytes) {
        return in.writeBytes(bytes.getBytes(StandardCharsets.ISO_8859_1));
    }
}
