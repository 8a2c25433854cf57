package dev.mnemo.server;

import dev.mnemo.protocol.ConnectionInfo;
import dev.mnemo.store.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What the server itself does, beyond the protocol: limits, backpressure, shutdown, "stats conns". */
@Timeout(120)
class ServerBehaviourTest {

    /** Waits, bounded, for a condition another thread makes true. */
    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void usesANativeTransportOnLinuxX8664() {
        assumeTrue(System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64"));
        Transport expected = Transport.EPOLL.isAvailable() ? Transport.EPOLL : Transport.IO_URING;
        try (RunningServer server = RunningServer.start()) {
            assertEquals(expected.cliName(), server.server().transport());
        }
    }

    @Test
    void valueOfExactlyMaxItemSizeIsStoredAndOneMoreIsSwallowed() {
        try (RunningServer server = RunningServer.start("-I", "1k"); RawClient client = server.connect()) {
            String exact = "x".repeat(1024);
            client.exchange("set exact 0 0 1024\r\n" + exact + "\r\nget exact\r\n",
                    "STORED\r\nVALUE exact 0 1024\r\n" + exact + "\r\nEND\r\n");
            client.exchange("set over 0 0 1025\r\n" + "y".repeat(1025) + "\r\nget over\r\n",
                    "SERVER_ERROR object too large for cache\r\nEND\r\n");
        }
    }

    @Test
    void connectionsOverTheLimitGetMemcachedsErrorAndAreClosed() {
        try (RunningServer server = RunningServer.start("-c", "2");
             RawClient first = server.connect();
             RawClient second = server.connect()) {
            first.exchange("", "");
            second.exchange("", "");
            try (RawClient third = server.connect()) {
                third.expectClosed("ERROR Too many open connections\r\n");
            }
            assertEquals(1, server.server().rejectedConnections());
            assertEquals(2, server.server().currentConnections());
            first.close();
            await(() -> server.server().currentConnections() == 1, "the closed connection is counted out");
            try (RawClient again = server.connect()) {
                again.exchange("", "");
            }
            assertEquals(3, server.server().totalConnections());
        }
    }

    /** On each transport: epoll sends replies itself while the channel holds none, the others through Netty. */
    @ParameterizedTest
    @ValueSource(strings = {"epoll", "io_uring", "nio"})
    void clientThatPipelinesWithoutReadingCannotGrowServerMemory(String transport) throws Exception {
        assumeTrue(Transport.named(transport).isAvailable(), transport + " is not available here");
        int requests = 200_000;
        int valueLength = 10 * 1024;
        try (RunningServer server = RunningServer.start("-t", "1", "--transport", transport); RawClient client = server.connect()) {
            byte[] value = new byte[valueLength];
            Arrays.fill(value, (byte) 'v');
            client.send("set bp 0 0 " + valueLength + "\r\n").send(value).send("\r\n");
            client.expect("STORED\r\n");

            byte[] pipeline = "get bp\r\n".repeat(requests).getBytes(StandardCharsets.US_ASCII);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> client.send(pipeline));
            await(() -> server.server().connectionsThrottled() > 0, "the server stops reading the connection");

            byte[] header = ("VALUE bp 0 " + valueLength + "\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] reply = new byte[header.length + valueLength + 7];
            System.arraycopy(header, 0, reply, 0, header.length);
            System.arraycopy(value, 0, reply, header.length, valueLength);
            System.arraycopy("\r\nEND\r\n".getBytes(StandardCharsets.US_ASCII), 0, reply, header.length + valueLength, 7);
            for (int i = 0; i < requests; i++) {
                byte[] got = client.read(reply.length);
                if (!Arrays.equals(reply, got)) {
                    assertArrayEquals(reply, got, "reply " + i);
                }
            }
            writer.get(10, TimeUnit.SECONDS);
            client.exchange("", "");

            long bound = MnemoServer.WATER_MARK.high() + ConnectionHandler.WRITE_CHUNK_BYTES + 2L * reply.length;
            long peak = server.server().peakPendingOutputBytes();
            assertTrue(peak > MnemoServer.WATER_MARK.high(), "the output did reach the high-water mark: " + peak);
            assertTrue(peak <= bound, "queued output " + peak + " bytes stayed within " + bound);
        }
    }

    @Test
    void shutdownCommandWithDashAStopsTheServer() throws Exception {
        try (RunningServer server = RunningServer.start("-A"); RawClient client = server.connect()) {
            client.exchange("", "");
            client.send("shutdown\r\n");
            CompletableFuture.runAsync(() -> {
                try {
                    server.server().awaitTermination();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }).get(10, TimeUnit.SECONDS);
            client.expectClosed("");
        }
    }

    @Test
    void statsConnsListsTheListenerFirstThenEachClient() {
        try (RunningServer server = RunningServer.start(); RawClient a = server.connect(); RawClient b = server.connect()) {
            a.exchange("", "");
            b.exchange("", "");
            List<ConnectionInfo> connections = server.server().connections();
            assertEquals(3, connections.size());
            String listen = "tcp:127.0.0.1:" + server.port();
            ConnectionInfo listener = connections.getFirst();
            assertEquals(listen, listener.address());
            assertNull(listener.listenAddress());
            assertEquals("conn_listening", listener.state());
            for (ConnectionInfo client : connections.subList(1, 3)) {
                assertEquals(listen, client.listenAddress());
                assertTrue(client.address().startsWith("tcp:127.0.0.1:"), client.address());
                assertTrue(client.id() > listener.id());
            }
            assertEquals(Set.of("tcp:127.0.0.1:" + a.socket().getLocalPort(), "tcp:127.0.0.1:" + b.socket().getLocalPort()),
                    Set.of(connections.get(1).address(), connections.get(2).address()));
            assertTrue(connections.get(1).id() < connections.get(2).id(), "clients in order of number");
        }
    }

    @Test
    void countsBytesReadAndWritten() {
        try (RunningServer server = RunningServer.start("-t", "1"); RawClient client = server.connect()) {
            long readBefore = server.server().bytesRead();
            long writtenBefore = server.server().bytesWritten();
            client.exchange("set c 0 0 1\r\nx\r\n", "STORED\r\n");
            String sent = "set c 0 0 1\r\nx\r\n" + RawClient.SENTINEL;
            await(() -> server.server().bytesRead() - readBefore == sent.length(), "the read is counted");
            await(() -> server.server().bytesWritten() - writtenBefore == "STORED\r\nEND\r\n".length(), "the reply is counted");
        }
    }

    @Test
    void statsResetZeroesConnectionAndByteCounters() {
        try (RunningServer server = RunningServer.start("-t", "1"); RawClient client = server.connect()) {
            client.exchange("set c 0 0 1\r\nx\r\n", "STORED\r\n");
            client.exchange("stats reset\r\n", "RESET\r\n");
            assertEquals(0, server.server().totalConnections());
            assertEquals(1, server.server().currentConnections(), "a gauge, not reset");
            long read = server.server().bytesRead();
            assertTrue(read <= RawClient.SENTINEL.length(), "only the sentinel after the reset was counted: " + read);
        }
    }

    @Test
    void theStoreReadsTheServersTickingTime() {
        try (RunningServer server = RunningServer.start("-m", "8", "-t", "1"); RawClient client = server.connect()) {
            CurrentTime time = server.server().currentTime();
            long ticked = time.nanos();
            await(() -> time.nanos() != ticked, "the server ticks its time");
            assertTrue(Math.abs(time.nowSeconds() - System.currentTimeMillis() / 1000) <= 1, "Unix seconds: " + time.nowSeconds());
            client.exchange("set brief 0 1 1\r\nb\r\n", "STORED\r\n");
            // an exptime of 1 s runs out within a second or two of ticks, as on memcached's current_time
            await(() -> {
                client.send("get brief\r\n");
                String line = client.readLine();
                if (line.equals("END\r\n")) {
                    return true;
                }
                assertEquals("VALUE brief 0 1\r\n", line);
                assertEquals("b\r\n", client.readLine());
                assertEquals("END\r\n", client.readLine());
                return false;
            }, "the item expires");
        }
    }

    @Test
    void expiredItemsAreReclaimedInTheBackground() {
        ManualClock clock = new ManualClock(1_700_000_000L);
        try (RunningServer server = RunningServer.start(clock, "-m", "8", "-t", "1"); RawClient client = server.connect()) {
            String value = "e".repeat(1000);
            StringBuilder sets = new StringBuilder();
            for (int i = 0; i < 3000; i++) {
                sets.append("set exp").append(i).append(" 0 10 1000 noreply\r\n").append(value).append("\r\n");
            }
            client.exchange(sets.toString(), "");
            assertEquals(0, server.store().stats().reclaimed());
            clock.advance(20);
            await(() -> server.store().stats().reclaimed() > 0, "the once-a-second sweep reclaims expired items");
            client.exchange("get exp0\r\n", "END\r\n");
        }
    }
}
