package dev.mnemo.protocol;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Random;

import static dev.mnemo.protocol.BinaryClient.delta;
import static dev.mnemo.protocol.BinaryClient.exptime;
import static dev.mnemo.protocol.BinaryClient.flagsExptime;
import static dev.mnemo.protocol.BinaryClient.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random and mutated binary request streams, fed in random-sized reads: process() must never
 * throw, the buffered input must stay bounded (one request of at most the max item size plus a
 * read), and every response parsed must be a well-formed packet. Afterwards the store still
 * answers correctly. Seeded, so a failure reproduces.
 */
class BinaryFuzzTest extends ProtocolTestBase {

    private static final List<byte[]> SEEDS = List.of(
            request(0x01, flagsExptime(1, 0), "a", new byte[] {'x'}, 0), request(0x00, "a"), request(0x0d, "a"),
            request(0x09, "b"), request(0x02, flagsExptime(0, 0), "b", new byte[3], 0),
            request(0x0e, new byte[0], "a", new byte[] {'y'}, 0), request(0x04, "a"),
            request(0x05, delta(1, 5, 0), "n", new byte[0], 0), request(0x06, delta(1, 5, -1), "n", new byte[0], 0),
            request(0x1c, exptime(10), "a", new byte[0], 0), request(0x24, exptime(0), "a", new byte[0], 0),
            request(0x08, exptime(5), "", new byte[0], 0), request(0x10, ""), request(0x10, "items"),
            request(0x0a, ""), request(0x0b, ""), request(0x1b, exptime(1), "", new byte[0], 0),
            request(0x55, new byte[0], "", new byte[9], 0), request(0x01, flagsExptime(0, 0), "big", new byte[5000], 1),
            request(0x07, ""), request(0x17, ""));

    private static final int ROUNDS = 300;
    private static final int MAX_INPUT = TestServer.defaultSettings().maxItemSize() + 100_000;

    @Test
    void randomAndMutatedStreamsNeverBreakTheServer() {
        Random random = new Random(20261121L);
        for (int round = 0; round < ROUNDS; round++) {
            try (BinaryClient c = new BinaryClient(new BinaryProtocol(store, server, 1))) {
                byte[] stream = stream(random);
                int at = 0;
                while (at < stream.length && !c.isClosed()) {
                    int n = Math.min(stream.length - at, 1 + random.nextInt(random.nextBoolean() ? 8 : 512));
                    byte[] read = new byte[n];
                    System.arraycopy(stream, at, read, 0, n);
                    at += n;
                    c.feed(read);
                    assertTrue(c.in.readableBytes() <= MAX_INPUT, "round " + round + ": input must stay bounded");
                }
                for (BinaryClient.Response r : c.take()) {
                    assertEquals(0x81, r.magic(), "round " + round);
                }
            }
        }
        try (BinaryClient c = new BinaryClient(new BinaryProtocol(store, server, 1))) {
            assertEquals(0, c.send(request(0x01, flagsExptime(3, 0), "after", new byte[] {'z'}, 0)).getFirst().status());
            assertEquals("z", c.send(request(0x00, "after")).getFirst().valueText());
        }
    }

    /** A few seed requests, some mutated (bytes flipped, truncated, lengths rewritten), some random bytes. */
    private static byte[] stream(Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int requests = 1 + random.nextInt(8);
        for (int i = 0; i < requests; i++) {
            byte[] seed = SEEDS.get(random.nextInt(SEEDS.size())).clone();
            switch (random.nextInt(5)) {
                case 0 -> seed[random.nextInt(seed.length)] = (byte) random.nextInt(256);
                case 1 -> seed = java.util.Arrays.copyOf(seed, random.nextInt(seed.length) + 1);
                case 2 -> {
                    int field = 2 + random.nextInt(7); // key length .. body length bytes
                    seed[field] = (byte) random.nextInt(256);
                }
                case 3 -> {
                    byte[] noise = new byte[random.nextInt(64)];
                    random.nextBytes(noise);
                    out.writeBytes(noise);
                }
                default -> {
                }
            }
            out.writeBytes(seed);
        }
        return out.toByteArray();
    }
}
