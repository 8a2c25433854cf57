package dev.mnemo.server;

import io.netty.channel.EventLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A UDP get hit on epoll allocates nothing on the heap of the event loop that serves it
 * (DESIGN.md: hot paths allocate nothing per request; {@link UdpSocket}), read 16 datagrams at a
 * time as a loaded socket is. Measured with the JVM's allocation counter of the loop's thread,
 * which also runs the server's clock tick and sweep: a run passes under 0.1 byte a request, and
 * one run of five must (as the protocol module's allocation tests: the JIT may still be
 * compiling the path in the first). Netty's datagram channel allocated about 200 bytes a
 * request (docs/PERFORMANCE.md, "UDP allocation per request").
 */
@Timeout(60)
class UdpAllocationTest {

    private static final int WARMUP = 40_000;
    private static final int MEASURED = 16_000;
    private static final int ROUNDS = 5;
    /** Datagrams sent before their replies are read: one recvmmsg(2) takes them all. */
    private static final int IN_FLIGHT = MnemoServer.DATAGRAMS_PER_READ;

    @Test
    void aUdpGetHitAllocatesNothingOnTheEventLoop() throws Exception {
        assumeFalse(RunningServer.againstMemcached());
        assumeTrue(Transport.EPOLL.isAvailable() && UdpSocket.isAvailable(), "UDP without a channel needs epoll");
        try (RunningServer server = RunningServer.startWithUdp("--transport", "epoll", "-t", "1");
             UdpClient udp = server.udp()) {
            assertEquals("STORED\r\n", udp.exchange(1, "set some-key 7 0 100\r\n" + "v".repeat(100) + "\r\n"));
            EventLoop loop = server.server().udpLoops().getFirst();
            long loopThread = loop.submit(() -> Thread.currentThread().threadId()).get();
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            getMany(udp, WARMUP);
            List<Long> rounds = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                long before = threads.getThreadAllocatedBytes(loopThread);
                getMany(udp, MEASURED);
                long allocated = threads.getThreadAllocatedBytes(loopThread) - before;
                if (allocated < MEASURED / 10) {
                    return;
                }
                rounds.add(allocated);
            }
            fail("bytes the event loop allocated for " + MEASURED + " UDP get hits, per round: " + rounds);
        }
    }

    private static void getMany(UdpClient udp, int times) {
        String expected = "VALUE some-key 7 100\r\n" + "v".repeat(100) + "\r\nEND\r\n";
        for (int done = 0; done < times; done += IN_FLIGHT) {
            for (int i = 0; i < IN_FLIGHT; i++) {
                udp.send(i, "get some-key\r\n");
            }
            for (int i = 0; i < IN_FLIGHT; i++) {
                String reply = new String(UdpClient.payload(udp.receiveMessage(i)), StandardCharsets.ISO_8859_1);
                if (!reply.equals(expected)) {
                    fail("not a hit: " + reply);
                }
            }
        }
    }
}
