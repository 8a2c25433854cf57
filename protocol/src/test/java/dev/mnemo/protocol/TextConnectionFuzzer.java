package dev.mnemo.protocol;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import dev.mnemo.store.ManualClock;
import dev.mnemo.store.Store;
import dev.mnemo.store.StoreReset;
import io.netty.buffer.PooledByteBufAllocator;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The text and meta fuzz targets' harness: one fuzz input is a byte stream sent on a new text
 * connection to an empty store, in reads whose lengths the input chooses, driven as the server's
 * connection handler drives {@link TextProtocol} (cumulated input, process until it needs more).
 * Every input runs on the one store of the test JVM ({@link #store()}), emptied back to a new
 * store's state first ({@link StoreReset#clear}), so that an input acts as on a new store (and a
 * finding replays alone) without mapping and faulting in 8 MiB per input.
 *
 * <p>Input layout ({@link FuzzedDataProvider}): the last 8 bytes seed the read lengths (a mix of
 * 1–8 and 1–512 bytes); the bytes before them are the stream. Oracles, each an assertion:
 * <ul>
 *   <li>no exception escapes {@code process} (Jazzer reports any throwable as a finding);</li>
 *   <li>the inbound buffer stays within one data block of the max item size plus one read;</li>
 *   <li>every reply is one of memcached's reply forms ({@link ReplyGrammar#checkText});</li>
 *   <li>the store's bytes stay within its memory limit;</li>
 *   <li>the connection is usable afterwards (once any pending data block is ended by filler lines, "mn" gets
 *       "MN"), unless the protocol closed it, or still discards a refused data block of more
 *       than about 7 MiB (memcached swallows such a block too) without holding its bytes.</li>
 * </ul>
 * Not thread-safe (one fuzzing thread, as Jazzer runs its targets).
 */
final class TextConnectionFuzzer {

    /** The store's memory limit, in bytes: small, so that eviction paths run too. */
    static final long MEMORY = 8L << 20;
    static final int MAX_ITEM_SIZE = 1 << 20;
    /** A data block up to the max item size may wait in the input, behind a line of the stream. */
    private static final int MAX_INPUT = MAX_ITEM_SIZE + 100_000;
    private static final byte[] PROBE = "\r\nmn\r\n".getBytes(StandardCharsets.US_ASCII);
    /**
     * What ends a pending data block: lines of a NUL and 2,045 spaces. Whatever of it follows the
     * block is read as lines and gets one ERROR per 2 KiB line (CRLFs alone would get one per 2
     * bytes); {@link CommandLine#parse} stops at the NUL, so each line costs its newline's search
     * and an empty command, not a parse of 2 KiB (under the fuzzer's instrumentation, a call per byte).
     */
    private static final byte[] FILLER = ("\0" + " ".repeat(2045) + "\r\n").repeat(512).getBytes(StandardCharsets.US_ASCII);
    /** How many blocks of filler (2 KiB, growing fourfold to 1 MiB) may go to end a pending data block. */
    private static final int MAX_FILLER_BLOCKS = 12;

    static {
        // An input's "verbosity 2" logs every later command line at INFO (memcached -vv): at fuzzing speed that
        // output, not the parsing, would be the work. Set before the first logger is made (slf4j-simple).
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }

    private static Store store;

    private TextConnectionFuzzer() {
    }

    static void run(FuzzedDataProvider data) {
        long readSeed = data.consumeLong();
        run(data.consumeRemainingAsBytes(), readSeed);
    }

    /**
     * @return the test JVM's fuzzing store, emptied back to a new store's state: {@link #MEMORY}
     *         bytes, a manual clock at {@link ProtocolTestBase#START}, no background sweeper
     *         (opened at the first call and kept for the JVM's life)
     */
    static Store store() {
        if (store == null) {
            store = Store.builder().memoryLimit(MEMORY).maxItemSize(MAX_ITEM_SIZE)
                    .clock(new ManualClock(ProtocolTestBase.START)).sweepExpiredInBackground(false).open();
        } else {
            StoreReset.clear(store);
        }
        return store;
    }

    /** @return the server a target's protocol runs under, with the store's limits */
    static TestServer server() {
        return new TestServer(new Settings(MEMORY, 1024, 11211, 0, "127.0.0.1", 4, MAX_ITEM_SIZE, true, false));
    }

    /**
     * @return the stream cut into socket reads of 1 to 8 or 1 to 512 bytes, as the seed chooses
     *         (a request split anywhere, byte by byte included)
     */
    static List<byte[]> reads(byte[] stream, long readSeed) {
        SplittableRandom random = new SplittableRandom(readSeed);
        List<byte[]> reads = new ArrayList<>();
        for (int at = 0; at < stream.length; ) {
            int n = Math.min(stream.length - at, 1 + random.nextInt(random.nextBoolean() ? 8 : 512));
            reads.add(Arrays.copyOfRange(stream, at, at + n));
            at += n;
        }
        return reads;
    }

    static void run(byte[] stream, long readSeed) {
        Store store = store();
        try (Client c = new Client(new TextProtocol(store, server(), 1), PooledByteBufAllocator.DEFAULT)) {
            ByteArrayOutputStream replies = new ByteArrayOutputStream();
            for (byte[] read : reads(stream, readSeed)) {
                if (c.isClosed()) {
                    break;
                }
                c.feed(read);
                assertTrue(c.in.readableBytes() <= MAX_INPUT, "inbound buffer above one item plus a read");
                replies.writeBytes(bytes(c.take()));
            }
            ReplyGrammar.checkText(replies.toByteArray());
            assertTrue(store.stats().bytes() <= MEMORY, "store bytes above the memory limit");
            assertUsableOrClosed(c);
        }
    }

    /**
     * Ends any pending data block (waiting or being discarded) with growing blocks of filler lines, then
     * checks that "mn" is answered; every reply on the way must be grammatical too. A refused
     * data block longer than the blocks fed (about 7 MiB; memcached swallows up to 2^32 bytes) is accepted
     * while the protocol keeps discarding what arrives: nothing stays in its input.
     */
    private static void assertUsableOrClosed(Client c) {
        for (int i = 0; i <= MAX_FILLER_BLOCKS && !c.isClosed(); i++) {
            c.feed(PROBE);
            byte[] reply = bytes(c.take());
            ReplyGrammar.checkText(reply);
            if (endsWith(reply, "MN\r\n")) {
                return;
            }
            if (i == MAX_FILLER_BLOCKS) {
                assertEquals(0, c.in.readableBytes(), "neither answering mn nor discarding its input");
                return;
            }
            c.feed(FILLER, 2048 << Math.min(2 * i, 9)); // 2 KiB … 1 MiB
            ReplyGrammar.checkText(bytes(c.take()));
        }
        assertTrue(c.isClosed());
        assertEquals(Outcome.CLOSE, c.protocol.process(c.in, c.out), "a closed connection stays closed");
    }

    private static boolean endsWith(byte[] b, String suffix) {
        byte[] s = bytes(suffix);
        return b.length >= s.length && Arrays.equals(b, b.length - s.length, b.length, s, 0, s.length);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
