package dev.mnemo.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;

/**
 * Drives one {@link TextProtocol} as a server's connection handler would: appends what the
 * client sends to a cumulated inbound buffer, calls process until it needs more input, and
 * returns what was written to the outbound buffer. Bytes are ISO-8859-1 so any byte survives.
 */
final class Client implements AutoCloseable {

    final TextProtocol protocol;
    final ByteBuf in;
    final ByteBuf out;
    private boolean closed;

    Client(TextProtocol protocol, ByteBufAllocator allocator) {
        this.protocol = protocol;
        this.in = allocator.buffer(256);
        this.out = allocator.buffer(256);
    }

    /** Sends {@code request} in one read and returns the reply bytes it produced. */
    String send(String request) {
        feed(request.getBytes(StandardCharsets.ISO_8859_1));
        return take();
    }

    /** Sends {@code request} one byte per read and returns all the reply bytes. */
    String sendBytewise(String request) {
        for (byte b : request.getBytes(StandardCharsets.ISO_8859_1)) {
            feed(new byte[] {b});
        }
        return take();
    }

    /** Appends bytes as one read and processes until more input is needed or the connection closes. */
    void feed(byte[] bytes) {
        feed(bytes, bytes.length);
    }

    /** Appends the first {@code length} bytes as one read and processes, as {@link #feed(byte[])}. */
    void feed(byte[] bytes, int length) {
        in.writeBytes(bytes, 0, length);
        closed = closed || processAll(protocol, in, out);
        in.discardReadBytes();
    }

    /**
     * Calls {@code protocol.process} as a connection handler does, until it needs more input or
     * closes the connection (a streaming reply's parts are all taken at once).
     *
     * @return whether it closed the connection
     */
    static boolean processAll(Protocol protocol, ByteBuf in, ByteBuf out) {
        for (int rounds = 0; rounds <= 1_000_000; rounds++) {
            Outcome outcome = protocol.process(in, out);
            if (outcome != Outcome.HANDLED && outcome != Outcome.MORE_OUTPUT) {
                return outcome == Outcome.CLOSE;
            }
        }
        throw new AssertionError("process() never asked for more input");
    }

    /** @return what was written since the last call, as ISO-8859-1 text */
    String take() {
        String reply = out.toString(StandardCharsets.ISO_8859_1);
        out.clear();
        return reply;
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        in.release();
        out.release();
    }
}
