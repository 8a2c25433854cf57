package dev.mnemo.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;


import static dev.mnemo.protocol.BinaryClient.flagsExptime;
import static dev.mnemo.protocol.BinaryClient.request;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A binary GET/GETK hit allocates nothing on the heap (DESIGN.md: hot paths allocate nothing
 * per request), as {@link GetAllocationTest} checks for the text protocol; measured with the
 * JVM's per-thread allocation counter.
 */
class BinaryGetAllocationTest extends ProtocolTestBase {

    private static final int WARMUP = 50_000;
    private static final int MEASURED = 20_000;

    @ParameterizedTest
    @ValueSource(strings = {"pooled-direct", "unpooled-heap"})
    void getHitAllocatesNothing(String buffers) {
        BinaryProtocol protocol = new BinaryProtocol(store, server, 1);
        ByteBufAllocator allocator = buffers.equals("pooled-direct")
                ? PooledByteBufAllocator.DEFAULT : new UnpooledByteBufAllocator(false);
        ByteBuf in = allocator.buffer(4096);
        ByteBuf out = allocator.buffer(4096);
        try {
            in.writeBytes(request(0x01, flagsExptime(7, 0), "some-key", "v".repeat(100).getBytes(), 0));
            assertEquals(Outcome.HANDLED, protocol.process(in, out));
            for (byte[] request : new byte[][] {request(0x00, "some-key"), request(0x0c, "some-key")}) {
                int expected = 24 + 4 + 100 + (request[1] == 0x0c ? 8 : 0);
                getMany(protocol, in, out, request, WARMUP, expected);
                SteadyStateAllocation.assertBelow(MEASURED / 10, MEASURED + " get hits",
                        () -> getMany(protocol, in, out, request, MEASURED, expected));
            }
        } finally {
            in.release();
            out.release();
        }
    }

    private static void getMany(BinaryProtocol protocol, ByteBuf in, ByteBuf out, byte[] request, int times, int expected) {
        for (int i = 0; i < times; i++) {
            in.clear().writeBytes(request);
            out.clear();
            if (protocol.process(in, out) != Outcome.HANDLED || out.readableBytes() != expected
                    || out.getShort(6) != 0) {
                throw new AssertionError("not a hit: " + out.readableBytes() + " bytes");
            }
        }
    }
}
