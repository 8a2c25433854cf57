package dev.mnemo.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A get hit allocates nothing on the heap (DESIGN.md: hot paths allocate nothing per request),
 * for direct and heap buffers, and when every request arrives in a new pooled buffer and is
 * answered into another, as the server's reads and writes do. Measured with the JVM's
 * per-thread allocation counter.
 */
class GetAllocationTest extends ProtocolTestBase {

    private static final int WARMUP = 50_000;
    private static final int MEASURED = 20_000;

    @ParameterizedTest
    @ValueSource(strings = {"pooled-direct", "unpooled-heap"})
    void getHitAllocatesNothing(String buffers) {
        assertEquals("STORED\r\n", send("set some-key 7 0 100\r\n" + "v".repeat(100) + "\r\n"));
        ByteBufAllocator allocator = buffers.equals("pooled-direct")
                ? PooledByteBufAllocator.DEFAULT : new UnpooledByteBufAllocator(false);
        ByteBuf in = allocator.buffer(4096);
        ByteBuf out = allocator.buffer(4096);
        byte[] request = "get some-key\r\n".getBytes(StandardCharsets.US_ASCII);
        TextProtocol protocol = new TextProtocol(store, server, 1);
        try {
            getMany(protocol, in, out, request, WARMUP);
            SteadyStateAllocation.assertBelow(MEASURED / 10, MEASURED + " get hits", () -> getMany(protocol, in, out, request, MEASURED));
            assertTrue(out.toString(StandardCharsets.US_ASCII).startsWith("VALUE some-key 7 100\r\nvvv"));
        } finally {
            in.release();
            out.release();
        }
    }

    @Test
    void getHitInFreshPooledBuffersAllocatesNothing() {
        assertEquals("STORED\r\n", send("set some-key 7 0 100\r\n" + "v".repeat(100) + "\r\n"));
        byte[] request = "get some-key\r\n".getBytes(StandardCharsets.US_ASCII);
        TextProtocol protocol = new TextProtocol(store, server, 1);
        getManyInFreshBuffers(protocol, request, WARMUP);
        SteadyStateAllocation.assertBelow(MEASURED, MEASURED + " get hits", () -> getManyInFreshBuffers(protocol, request, MEASURED));
    }

    /**
     * Rotates through buffers at different addresses, as the server's reads and writes bring a
     * new buffer each time (the buffers are allocated up front: the pool's own bookkeeping
     * allocates outside an event loop, and that is not what this test measures).
     */
    private static void getManyInFreshBuffers(TextProtocol protocol, byte[] request, int times) {
        ByteBuf[] ins = new ByteBuf[8];
        ByteBuf[] outs = new ByteBuf[5];
        for (int i = 0; i < ins.length; i++) {
            ins[i] = PooledByteBufAllocator.DEFAULT.directBuffer(64 + i * 512);
        }
        for (int i = 0; i < outs.length; i++) {
            outs[i] = PooledByteBufAllocator.DEFAULT.directBuffer(256 + i * 1024);
        }
        try {
            for (int i = 0; i < times; i++) {
                ByteBuf in = ins[i % ins.length].clear().writeBytes(request);
                ByteBuf out = outs[i % outs.length].clear();
                if (protocol.process(in, out) != Outcome.HANDLED || out.readableBytes() != 129) {
                    throw new AssertionError("not a hit: " + out.toString(StandardCharsets.US_ASCII));
                }
            }
        } finally {
            for (ByteBuf buf : ins) {
                buf.release();
            }
            for (ByteBuf buf : outs) {
                buf.release();
            }
        }
    }

    private static void getMany(TextProtocol protocol, ByteBuf in, ByteBuf out, byte[] request, int times) {
        for (int i = 0; i < times; i++) {
            in.clear().writeBytes(request);
            out.clear();
            if (protocol.process(in, out) != Outcome.HANDLED || out.readableBytes() != 129) {
                throw new AssertionError("not a hit: " + out.toString(StandardCharsets.US_ASCII));
            }
        }
    }
}
