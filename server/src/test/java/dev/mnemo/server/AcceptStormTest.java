package dev.mnemo.server;

import io.netty.channel.ChannelOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Connection storms (issue 16): the listener accepts a bounded number of connections per
 * event-loop iteration, on the first loop; a storm of new connections, each sending one get, is
 * served in full while an established connection keeps getting its answers. How long the
 * established client waits is measured by bench/accept-storm.sh, not here.
 */
@Timeout(120)
class AcceptStormTest {

    /** CI-sized: the bench opens 10,000. */
    private static final int STORM = 500;

    @Test
    void theListenerAcceptsABoundedNumberOfConnectionsPerLoopIterationOnTheFirstLoop() {
        assumeFalse(RunningServer.againstMemcached());
        try (RunningServer running = RunningServer.start("-t", "4")) {
            MnemoServer server = running.server();
            assertEquals(MnemoServer.ACCEPTS_PER_LOOP_ITERATION,
                    server.listener(0).config().getOption(ChannelOption.MAX_MESSAGES_PER_READ));
            assertTrue(MnemoServer.ACCEPTS_PER_LOOP_ITERATION < 16, "below Netty's default of 16 a read");
            assertSame(server.listener(0).eventLoop(), server.listener(0).eventLoop().parent().iterator().next(),
                    "the listener is on the first event loop");
        }
    }

    @ParameterizedTest(name = "-t {0}")
    @ValueSource(strings = {"1", "4"})
    void everyConnectionOfAStormIsServedWhileAnEstablishedClientKeepsGettingAnswers(String threads) throws Exception {
        try (RunningServer running = RunningServer.start("-t", threads, "-c", "2048");
             SocketChannel established = SocketChannel.open(new InetSocketAddress("127.0.0.1", running.port()))) {
            String version = exchange(established, "version\r\n");
            assertTrue(version.startsWith("VERSION "), version);

            AtomicBoolean stormDone = new AtomicBoolean();
            AtomicInteger roundTrips = new AtomicInteger();
            List<String> wrongReplies = Collections.synchronizedList(new ArrayList<>());
            Thread probe = Thread.ofPlatform().name("established-client").start(() -> {
                try {
                    while (!stormDone.get()) {
                        String reply = exchange(established, "version\r\n");
                        if (!version.equals(reply)) {
                            wrongReplies.add(String.valueOf(reply));
                        }
                        roundTrips.incrementAndGet();
                    }
                } catch (IOException e) {
                    wrongReplies.add(e.toString());
                }
            });
            int served;
            List<SocketChannel> storm = new ArrayList<>(STORM);
            try {
                served = storm(running.port(), storm);
            } finally {
                stormDone.set(true);
                probe.join(TimeUnit.SECONDS.toMillis(30));
                for (SocketChannel channel : storm) {
                    channel.close();
                }
            }
            assertEquals(STORM, served, "storm connections that got END to their get");
            assertTrue(roundTrips.get() > 0, "the established client had no answer during the storm");
            synchronized (wrongReplies) {
                assertEquals(List.of(), wrongReplies);
            }
            assertEquals(version, exchange(established, "version\r\n"), "the established connection after the storm");
        }
    }

    /**
     * Opens {@link #STORM} connections at once (non-blocking), each sending one get of a missing
     * key, and reads each reply; the connections stay open (in {@code open}) until the caller
     * closes them.
     *
     * @return how many connections got "END\r\n"
     */
    private static int storm(int port, List<SocketChannel> open) throws IOException {
        byte[] get = "get storm-key\r\n".getBytes(StandardCharsets.US_ASCII);
        int served = 0;
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < STORM; i++) {
                SocketChannel channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
                open.add(channel);
                channel.connect(new InetSocketAddress("127.0.0.1", port));
                channel.register(selector, SelectionKey.OP_CONNECT, ByteBuffer.allocate(16));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int finished = 0;
            while (finished < STORM && System.nanoTime() < deadline) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel channel = (SocketChannel) key.channel();
                    ByteBuffer reply = (ByteBuffer) key.attachment();
                    if (key.isConnectable()) {
                        channel.finishConnect();
                        channel.write(ByteBuffer.wrap(get));
                        key.interestOps(SelectionKey.OP_READ);
                    } else if (key.isReadable()) {
                        int n = channel.read(reply);
                        if (n < 0 || reply.position() >= 5) {
                            key.cancel();
                            finished++;
                            String text = new String(reply.array(), 0, reply.position(), StandardCharsets.US_ASCII);
                            if (text.equals("END\r\n")) {
                                served++;
                            }
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
        }
        return served;
    }

    /** Sends one request line and reads one reply line, blocking. */
    private static String exchange(SocketChannel channel, String request) throws IOException {
        channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
        ByteBuffer reply = ByteBuffer.allocate(128);
        do {
            if (channel.read(reply) < 0) {
                return null;
            }
        } while (reply.position() < 2 || reply.get(reply.position() - 1) != '\n');
        return new String(reply.array(), 0, reply.position(), StandardCharsets.US_ASCII);
    }
}
