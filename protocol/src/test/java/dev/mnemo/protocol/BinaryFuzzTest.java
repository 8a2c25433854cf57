package dev.mnemo.protocol;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.mnemo.store.Store;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzz target of the binary protocol ("BinaryProtocolRevamped"): a byte stream
 * sent on a new binary connection to an empty store (the test JVM's one store, emptied back to
 * a new store's state: {@link TextConnectionFuzzer#store()}), in reads whose lengths the input chooses
 * (the last 8 bytes of the input seed them; the bytes before are the stream), driven as the
 * server drives {@link BinaryProtocol}. Without JAZZER_FUZZ it replays the committed corpus in
 * {@code src/test/resources/dev/mnemo/protocol/BinaryFuzzTestInputs/binary}.
 *
 * <p>Oracles: no exception escapes; the inbound buffer stays within one request of the max item
 * size plus a read; every response is a well-formed packet ({@link ReplyGrammar#checkBinary});
 * the store's bytes stay within its limit; and the connection is usable afterwards: once the
 * last request's announced body (up to 2 MiB) has been completed with zero bytes, a VERSION
 * request gets its response, unless the protocol closed the connection.
 */
class BinaryFuzzTest {

    private static final long MEMORY = TextConnectionFuzzer.MEMORY;
    private static final int MAX_ITEM_SIZE = TextConnectionFuzzer.MAX_ITEM_SIZE;
    private static final int MAX_INPUT = MAX_ITEM_SIZE + 100_000;
    /** The most zero bytes fed to complete a pending request before the usability probe. */
    private static final long MAX_COMPLETION = 2L << 20;
    private static final byte[] VERSION = BinaryClient.request(0x0b, "");
    private static final byte[] ZEROS = new byte[(int) MAX_COMPLETION];

    @FuzzTest(maxDuration = "30s")
    void binary(FuzzedDataProvider data) {
        long readSeed = data.consumeLong();
        run(data.consumeRemainingAsBytes(), readSeed);
    }

    static void run(byte[] stream, long readSeed) {
        Store store = TextConnectionFuzzer.store();
        try (BinaryClient c = new BinaryClient(new BinaryProtocol(store, TextConnectionFuzzer.server(), 1))) {
            ByteArrayOutputStream responses = new ByteArrayOutputStream();
            for (byte[] read : TextConnectionFuzzer.reads(stream, readSeed)) {
                if (c.isClosed()) {
                    break;
                }
                c.feed(read);
                assertTrue(c.in.readableBytes() <= MAX_INPUT, "inbound buffer above one item plus a read");
                responses.writeBytes(c.takeBytes());
            }
            ReplyGrammar.checkBinary(responses.toByteArray());
            assertTrue(store.stats().bytes() <= MEMORY, "store bytes above the memory limit");
            long pending = pendingBytes(stream);
            if (c.isClosed() || pending > MAX_COMPLETION) {
                return;
            }
            c.feed(ZEROS, (int) pending);
            ReplyGrammar.checkBinary(c.takeBytes());
            if (c.isClosed()) {
                return;
            }
            c.feed(VERSION);
            byte[] reply = c.takeBytes();
            ReplyGrammar.checkBinary(reply);
            if (!c.isClosed()) {
                List<BinaryClient.Response> r = BinaryClient.parse(reply);
                assertTrue(!r.isEmpty(), "no response to VERSION on an open connection");
                assertEquals(0x0b, r.getLast().opcode(), "the last response is VERSION's");
                assertEquals(TextProtocol.VERSION, r.getLast().valueText());
            }
        }
    }

    /**
     * @return how many bytes the stream's last request still lacks, by the binary framing alone
     *         (every request is a 24-byte header and the body its header announces)
     */
    private static long pendingBytes(byte[] stream) {
        long at = 0;
        while (at < stream.length) {
            byte[] header = Arrays.copyOfRange(stream, (int) at, (int) at + 24); // a partial one completed with zeros
            long body = ((header[8] & 0xFFL) << 24) | ((header[9] & 0xFF) << 16) | ((header[10] & 0xFF) << 8)
                    | (header[11] & 0xFF);
            at += 24 + body;
        }
        return at - stream.length;
    }
}
