package dev.mnemo.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The heap one connection's protocol state takes (issue 16: at most 4 KiB of resident memory per
 * idle connection, Netty's channel objects included): a connection builds the state of the
 * commands it sends, not of every command family, and keeps no request's scratch space between
 * requests. Measured with the JVM's per-thread allocation counter as what building a
 * {@link NegotiatingProtocol} and serving one request allocates (an upper bound of what the
 * connection then holds), averaged over many connections after a warm-up.
 */
class ConnectionFootprintTest extends ProtocolTestBase {

    private static final int CONNECTIONS = 200;

    /**
     * Measured 2026-12-07: 365–539 bytes after a text command that stores nothing and 515–531
     * after a set (the storage commands' state is built by the first of them), 915–1,201 after
     * a meta command (before that: 515–691 and 1,067; 709–883 and 1,259–1,268 while each
     * connection kept its own {@link CommandLine} token arrays; 1,150 and 1,680 while it also
     * kept its own VALUE-line writer, {@link ValueReply}).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "'get k', 1024",
            "'set k 0 0 1\r\nv', 1024",
            "'version', 1024",
            "'delete k', 1024",
            "'mg k v', 1536",
            "'ms k 1\r\nv', 1536",
    })
    void bytesPerConnectionAfterOneRequest(String request, long maxBytes) {
        long perConnection = bytesPerConnection((request + "\r\n").getBytes(StandardCharsets.US_ASCII));
        assertTrue(perConnection <= maxBytes, perConnection + " bytes per connection after " + request);
    }

    /** A binary connection after a noop (magic 0x80, opcode 0x0a, nothing else); measured 2026-12-07: 745 bytes (937 before the shared token arrays). */
    @Test
    void bytesPerBinaryConnectionAfterANoop() {
        byte[] noop = new byte[24];
        noop[0] = (byte) 0x80;
        noop[1] = 0x0a;
        long perConnection = bytesPerConnection(noop);
        assertTrue(perConnection <= 1024, perConnection + " bytes per binary connection after a noop");
    }

    /** @return the bytes allocated per connection to build it and serve {@code request}, after a warm-up */
    private long bytesPerConnection(byte[] request) {
        NegotiatingProtocol[] connections = new NegotiatingProtocol[CONNECTIONS];
        openAndServe(connections, request); // warm-up: class loading, the thread's scratch arrays
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        openAndServe(connections, request);
        return (threads.getCurrentThreadAllocatedBytes() - before) / CONNECTIONS;
    }

    private void openAndServe(NegotiatingProtocol[] connections, byte[] request) {
        ByteBuf in = Unpooled.directBuffer(256);
        ByteBuf out = Unpooled.directBuffer(256);
        try {
            for (int i = 0; i < connections.length; i++) {
                connections[i] = new NegotiatingProtocol(store, server, i + 1);
                in.clear().writeBytes(request);
                out.clear();
                if (connections[i].process(in, out) != Outcome.HANDLED) {
                    throw new AssertionError("not handled: " + new String(request, StandardCharsets.US_ASCII));
                }
            }
        } finally {
            in.release();
            out.release();
        }
    }
}
