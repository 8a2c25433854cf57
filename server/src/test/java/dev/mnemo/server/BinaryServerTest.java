package dev.mnemo.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The binary protocol over TCP: chosen by a connection's first byte on the text protocol's
 * port (0x80, as memcached does), with the same inbound bound and output backpressure.
 */
@Timeout(120)
class BinaryServerTest {

    private static final byte[] NOOP_RESPONSE = response(0x0a, 0, 0);

    /** @return a request with opaque 0 and no CAS */
    private static byte[] request(int opcode, byte[] extras, String key, byte[] value) {
        byte[] k = key.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(24 + extras.length + k.length + value.length)
                .put((byte) 0x80).put((byte) opcode).putShort((short) k.length).put((byte) extras.length)
                .put((byte) 0).putShort((short) 0).putInt(extras.length + k.length + value.length)
                .putInt(0).putLong(0).put(extras).put(k).put(value).array();
    }

    /** @return a response header with no CAS, opaque 0 */
    private static byte[] response(int opcode, int status, int bodyLength) {
        return ByteBuffer.allocate(24).put((byte) 0x81).put((byte) opcode).putShort((short) 0).put((byte) 0)
                .put((byte) 0).putShort((short) status).putInt(bodyLength).putInt(0).putLong(0).array();
    }

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
    void textAndBinaryConnectionsShareThePortAndTheStore() {
        try (RunningServer server = RunningServer.start(); RawClient text = server.connect(); RawClient binary = server.connect()) {
            text.exchange("set shared 3 0 5\r\nhello\r\n", "STORED\r\n");
            binary.send(request(0x00, new byte[0], "shared", new byte[0]));
            byte[] header = binary.read(24);
            assertEquals((byte) 0x81, header[0]);
            assertEquals(0, ByteBuffer.wrap(header).getShort(6));
            assertEquals(9, ByteBuffer.wrap(header).getInt(8));
            assertArrayEquals(new byte[] {0, 0, 0, 3, 'h', 'e', 'l', 'l', 'o'}, binary.read(9));
        }
    }

    @Test
    void statsDetailCountsBinaryGetsSetsAndDeletesAsMemcached() {
        try (RunningServer server = RunningServer.start(); RawClient text = server.connect(); RawClient binary = server.connect()) {
            text.send("stats detail on\r\n").expect("OK\r\n");
            binary.send(request(0x01, new byte[8], "b:1", new byte[] {'x'}));   // SET
            assertEquals(0, ByteBuffer.wrap(binary.read(24)).getShort(6));
            binary.send(request(0x00, new byte[0], "b:1", new byte[0]));        // GET, a hit
            binary.read(24 + 4 + 1);
            binary.send(request(0x00, new byte[0], "b:2", new byte[0]));        // GET, a miss
            binary.read(ByteBuffer.wrap(binary.read(24)).getInt(8));              // "Not found"
            binary.send(request(0x04, new byte[0], "b:1", new byte[0]));        // DELETE
            binary.read(24);
            text.send("stats detail dump\r\n").expect("PREFIX b get 2 hit 1 set 1 del 1\r\nEND\r\n");
        }
    }

    @Test
    void aFirstByteOtherThanTheBinaryMagicMeansText() {
        try (RunningServer server = RunningServer.start(); RawClient client = server.connect()) {
            client.send(new byte[] {(byte) 0x81, '\r', '\n'});
            client.expect("ERROR\r\n");
        }
    }

    @Test
    void overLargeValueIsRefusedAndSwallowedAndTheConnectionGoesOn() {
        try (RunningServer server = RunningServer.start("-I", "1k"); RawClient client = server.connect()) {
            client.send(request(0x01, new byte[8], "big", new byte[64 * 1024]));
            client.send(request(0x0a, new byte[0], "", new byte[0]));
            assertArrayEquals(response(0x01, 0x03, 10), client.read(24));
            assertEquals("Too large.", new String(client.read(10), StandardCharsets.US_ASCII));
            assertArrayEquals(NOOP_RESPONSE, client.read(24));
        }
    }

    @Test
    void binaryClientThatPipelinesWithoutReadingCannotGrowServerMemory() throws Exception {
        int requests = 100_000;
        int valueLength = 10 * 1024;
        try (RunningServer server = RunningServer.start("-t", "1"); RawClient client = server.connect()) {
            byte[] value = new byte[valueLength];
            Arrays.fill(value, (byte) 'v');
            client.send(request(0x11, new byte[8], "bp", value)).send(request(0x0a, new byte[0], "", new byte[0]));
            assertArrayEquals(NOOP_RESPONSE, client.read(24));

            byte[] get = request(0x00, new byte[0], "bp", new byte[0]);
            byte[] pipeline = new byte[get.length * requests];
            for (int i = 0; i < requests; i++) {
                System.arraycopy(get, 0, pipeline, i * get.length, get.length);
            }
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> client.send(pipeline));
            await(() -> server.server().connectionsThrottled() > 0, "the server stops reading the connection");
            int replyLength = 24 + 4 + valueLength;
            for (int i = 0; i < requests; i++) {
                byte[] reply = client.read(replyLength);
                if (reply[7] != 0 || reply[replyLength - 1] != 'v') {
                    fail("reply " + i + " is not a hit");
                }
            }
            writer.get(10, TimeUnit.SECONDS);
            long bound = MnemoServer.WATER_MARK.high() + ConnectionHandler.WRITE_CHUNK_BYTES + 2L * replyLength;
            long peak = server.server().peakPendingOutputBytes();
            assertTrue(peak > MnemoServer.WATER_MARK.high(), "the output did reach the high-water mark: " + peak);
            assertTrue(peak <= bound, "queued output " + peak + " bytes stayed within " + bound);
        }
    }
}
