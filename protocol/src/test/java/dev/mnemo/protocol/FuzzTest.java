package dev.mnemo.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random and mutated request streams, fed in random-sized reads: process() must never throw,
 * must keep the buffered input bounded, and must leave the connection either parsing (it still
 * answers a version request) or closed. Seeded, so a failure reproduces.
 */
class FuzzTest extends ProtocolTestBase {

    private static final String[] SEEDS = {
            "set a 0 0 1\r\nx\r\n", "get a b c\r\n", "gets a\r\n", "gat 10 a\r\n", "gats 0 a b\r\n",
            "add b 1 2 3\r\nabc\r\n", "replace a 0 0 2 noreply\r\nxy\r\n", "append a 0 0 1\r\nz\r\n",
            "prepend a 0 0 1\r\nz\r\n", "cas a 0 0 1 5\r\nq\r\n", "delete a 0\r\n", "delete a noreply\r\n",
            "incr n 5\r\n", "decr n 18446744073709551615\r\n", "touch a -1\r\n", "flush_all 5\r\n",
            "stats\r\n", "stats items\r\n", "stats slabs\r\n", "stats detail dump\r\n", "verbosity 1\r\n",
            "cache_memlimit 64\r\n", "version\r\n", "set n 0 0 2\r\n10\r\n", "get " + "k".repeat(251) + "\r\n",
            "set big 0 0 5000\r\n", "set huge 0 0 2000000\r\n", "quit\r\n", "shutdown\r\n"};

    private static final int ROUNDS = 300;
    /** A data block up to the max item size may wait in the input, behind a line of the stream. */
    private static final int MAX_INPUT = TestServer.defaultSettings().maxItemSize() + 100_000;

    @Test
    void randomAndMutatedStreamsNeverBreakTheConnection() {
        Random random = new Random(20261121L);
        for (int round = 0; round < ROUNDS; round++) {
            Client c = newClient();
            try {
                byte[] stream = stream(random);
                int at = 0;
                while (at < stream.length && !c.isClosed()) {
                    int n = Math.min(stream.length - at, 1 + random.nextInt(random.nextBoolean() ? 8 : 512));
                    byte[] read = new byte[n];
                    System.arraycopy(stream, at, read, 0, n);
                    at += n;
                    c.feed(read);
                    assertTrue(c.in.readableBytes() <= MAX_INPUT, "round " + round + ": input must stay bounded");
                    c.take();
                }
                assertParsingOrClosed(c, round);
            } finally {
                c.close();
            }
        }
    }

    /**
     * Ends any pending data block (waiting or being discarded) with blocks of CRLFs until empty
     * lines are answered with ERROR again, then checks the connection still answers "version".
     */
    private static void assertParsingOrClosed(Client c, int round) {
        byte[] crlfs = "\r\n".repeat(32 * 1024).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 400 && !c.isClosed(); i++) {
            c.feed(crlfs);
            if (c.take().contains("ERROR\r\n")) {
                break;
            }
        }
        if (c.isClosed()) {
            assertEquals(Outcome.CLOSE, c.protocol.process(c.in, c.out));
            return;
        }
        c.feed("\r\nversion\r\n".getBytes(StandardCharsets.US_ASCII));
        assertTrue(c.take().endsWith("VERSION " + TextProtocol.VERSION + "\r\n"), "round " + round);
    }

    private static byte[] stream(Random random) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.heapBuffer();
        try {
            int pieces = 1 + random.nextInt(20);
            for (int i = 0; i < pieces; i++) {
                switch (random.nextInt(4)) {
                    case 0 -> {
                        byte[] noise = new byte[random.nextInt(random.nextInt(10) == 0 ? 4000 : 40)];
                        random.nextBytes(noise);
                        buf.writeBytes(noise);
                    }
                    case 1 -> buf.writeBytes(SEEDS[random.nextInt(SEEDS.length)].getBytes(StandardCharsets.ISO_8859_1));
                    default -> {
                        byte[] seed = SEEDS[random.nextInt(SEEDS.length)].getBytes(StandardCharsets.ISO_8859_1);
                        int mutations = 1 + random.nextInt(3);
                        for (int m = 0; m < mutations; m++) {
                            int at = random.nextInt(seed.length);
                            seed[at] = switch (random.nextInt(4)) {
                                case 0 -> (byte) random.nextInt(256);
                                case 1 -> (byte) ' ';
                                case 2 -> (byte) ('0' + random.nextInt(10));
                                default -> (byte) '-';
                            };
                        }
                        buf.writeBytes(seed);
                    }
                }
            }
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }
}
