package dev.mnemo.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An mg hit allocates nothing on the heap (DESIGN.md: hot paths allocate nothing per request),
 * with the return flags a client typically asks for, a base64 key, and an ms and an ma besides;
 * for direct and heap buffers. Measured with the JVM's per-thread allocation counter.
 */
class MetaGetAllocationTest extends ProtocolTestBase {

    private static final int WARMUP = 50_000;
    private static final int MEASURED = 20_000;

    @ParameterizedTest
    @ValueSource(strings = {"pooled-direct", "unpooled-heap"})
    void metaRequestsAllocateNothing(String buffers) {
        assertEquals("HD\r\n", send("ms some-key 100 F7\r\n" + "v".repeat(100) + "\r\n"));
        assertEquals("HD\r\n", send("ms n 1\r\n1\r\n"));
        ByteBufAllocator allocator = buffers.equals("pooled-direct")
                ? PooledByteBufAllocator.DEFAULT : new UnpooledByteBufAllocator(false);
        ByteBuf in = allocator.buffer(4096);
        ByteBuf out = allocator.buffer(4096);
        TextProtocol protocol = new TextProtocol(store, server, 1);
        String hit = "mg some-key s v f t c k Oabc T0\r\n";
        String[] requests = {hit, "mg c29tZS1rZXk= b v k q\r\n", "ms other 2 T0 q\r\nab\r\n", "ma n v\r\n"};
        try {
            run(protocol, in, out, requests, WARMUP);
            SteadyStateAllocation.assertBelow(MEASURED / 10, MEASURED + " meta requests",
                    () -> run(protocol, in, out, requests, MEASURED));
            in.clear().writeBytes(hit.getBytes(StandardCharsets.US_ASCII));
            out.clear();
            protocol.process(in, out);
            assertTrue(out.toString(StandardCharsets.US_ASCII).matches("VA 100 s100 f7 t-1 c[0-9]+ ksome-key Oabc\r\nv{100}\r\n"),
                    out.toString(StandardCharsets.US_ASCII));
        } finally {
            in.release();
            out.release();
        }
    }

    private static void run(TextProtocol protocol, ByteBuf in, ByteBuf out, String[] requests, int times) {
        byte[][] bytes = new byte[requests.length][];
        for (int r = 0; r < requests.length; r++) {
            bytes[r] = requests[r].getBytes(StandardCharsets.US_ASCII);
        }
        for (int i = 0; i < times; i++) {
            in.clear().writeBytes(bytes[i % bytes.length]);
            out.clear();
            if (protocol.process(in, out) != Outcome.HANDLED || out.readableBytes() == 0 && i % bytes.length < 2) {
                throw new AssertionError("not handled: " + out.toString(StandardCharsets.US_ASCII));
            }
        }
    }
}
