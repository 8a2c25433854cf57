package dev.mnemo.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * Writers and readers race over a small key set in a store small enough that segments are
 * evicted and reused while readers copy from them. Every value carries its key, its length and
 * a CRC32, so a torn, mixed or wrong-key read is detected. Incrementers race each other (and
 * the writers' bucket locks) on counters in a second store without memory pressure, where no
 * counter can be evicted, so the counters must add up exactly.
 */
class ConcurrencyStressTest {

    private static final int KEYS = 3000;
    private static final int COUNTERS = 4;
    private static final int OPS = 60_000;
    /** The most CAS uniques the writers of the evicting store can take: one per set, and blocks reserved ahead. */
    private static final long MAX_CAS = 3L * OPS + 8 * Stripe.CAS_BLOCK;

    @Test
    void readsAreNeverTornAndCountersAddUp() throws Exception {
        try (Store store = Store.builder().memoryLimit(4L * Fixture.MIB).maxItemSize(4096).sweepExpiredInBackground(false).open();
             Store counters = Store.builder().memoryLimit(256L * Fixture.MIB).maxItemSize(4096).sweepExpiredInBackground(false).open()) {
            for (int c = 0; c < COUNTERS; c++) {
                MemorySegment k = key("counter" + c);
                MemorySegment zero = MemorySegment.ofArray("0".getBytes(StandardCharsets.US_ASCII));
                counters.set(new ItemWrite().key(k, 0, (int) k.byteSize()).value(zero, 0, 1));
            }
            AtomicLong reads = new AtomicLong();
            AtomicLong increments = new AtomicLong();
            List<Runnable> bodies = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int seed = t;
                bodies.add(() -> write(store, seed));
            }
            for (int t = 0; t < 3; t++) {
                int seed = 100 + t;
                bodies.add(() -> reads.addAndGet(read(store, seed)));
            }
            for (int t = 0; t < 2; t++) {
                bodies.add(() -> increments.addAndGet(increment(counters)));
            }
            bodies.add(() -> write(counters, 7));
            runTogether(bodies, "a stress thread failed");
            assertTrue(reads.get() > 0, "some reads hit");
            long total = 0;
            for (int c = 0; c < COUNTERS; c++) {
                MemorySegment k = key("counter" + c);
                long[] value = {-1};
                assertTrue(counters.get(k, 0, (int) k.byteSize(), item -> value[0] = Long.parseLong(text(item).trim())));
                total += value[0];
            }
            assertEquals(increments.get(), total);
            assertEquals(0, counters.stats().evictions(), "the counters' store must never evict");
            StoreStats s = store.stats();
            assertTrue(s.evictions() > 0, "the test must run under eviction pressure");
            assertTrue(s.bytes() <= 4L * Fixture.MIB);
            store.checkConsistency(); // bytes, curr_items and every segment's item count match the linked items
            counters.checkConsistency();
        }
    }

    /**
     * Deletes racing eviction in a store of a few dozen segments: a delete's unlink must take the
     * item's size before marking it unlinked, since the mark lets an evictor free and reuse the
     * segment without waiting for the bucket lock (it once read a reused header as the size,
     * and bytes went wrong by up to 2^31). Some rounds have caught it, so several are run, each
     * ending with a check of every count against the index.
     */
    @Test
    void deletesRacingEvictionKeepTheCountsExact() throws Exception {
        for (int round = 0; round < 12; round++) {
            try (Store store = Store.builder().memoryLimit(300_000).maxItemSize(4096).sweepExpiredInBackground(false).open()) {
                List<Runnable> bodies = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int seed = round * 8 + t;
                    bodies.add(() -> setAndDelete(store, seed));
                }
                runTogether(bodies, "round " + round);
                assertTrue(store.stats().evictions() > 0, "the test must run under eviction pressure");
                store.checkConsistency(); // bytes, curr_items and every segment's item count match the linked items
            }
        }
    }

    /** Sets (value length as client flags) and, one time in 20, deletes, over 500 keys. */
    private static void setAndDelete(Store store, int seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] buffer = new byte[3000];
        MemorySegment value = MemorySegment.ofArray(buffer);
        ItemWrite write = new ItemWrite();
        for (int i = 0; i < 20_000; i++) {
            MemorySegment key = key("key" + random.nextInt(500));
            if (random.nextInt(20) == 0) {
                store.delete(key, 0, (int) key.byteSize(), 0);
                continue;
            }
            int length = random.nextInt(20, 3000);
            WriteResult status = store.set(write.reset().key(key, 0, (int) key.byteSize()).value(value, 0, length)
                    .clientFlags(length));
            assertEquals(WriteResult.STORED, status);
        }
    }

    /**
     * Runs each body on a thread of its own, all released at once, and waits (60 s at most) for
     * them to finish. @throws AssertionError with the first failure, or if a thread is still running
     */
    private static void runTogether(List<Runnable> bodies, String what) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (Runnable body : bodies) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    body.run();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        start.countDown();
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(60));
            assertTrue(!t.isAlive(), "stress thread did not finish");
        }
        if (failure.get() != null) {
            throw new AssertionError(what, failure.get());
        }
    }

    private static void write(Store store, int seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] buffer = new byte[4096];
        ItemWrite write = new ItemWrite();
        for (int i = 0; i < OPS; i++) {
            String k = "key" + random.nextInt(KEYS);
            MemorySegment key = key(k);
            if (random.nextInt(20) == 0) {
                store.delete(key, 0, (int) key.byteSize(), 0);
                continue;
            }
            int length = value(k, random.nextInt(20, 3000), random.nextInt(), buffer);
            MemorySegment value = MemorySegment.ofArray(buffer);
            WriteResult status = store.set(write.reset().key(key, 0, (int) key.byteSize()).value(value, 0, length)
                    .clientFlags(length));
            assertEquals(WriteResult.STORED, status);
        }
    }

    private static long read(Store store, int seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[][] last = new byte[1][];
        int[] flags = new int[1];
        long[] cas = new long[1];
        long hits = 0;
        for (int i = 0; i < OPS; i++) {
            String k = "key" + random.nextInt(KEYS);
            MemorySegment key = key(k);
            boolean hit = store.get(key, 0, (int) key.byteSize(), item -> {
                last[0] = item.memory().asSlice(item.valueOffset(), item.valueLength()).toArray(ValueLayout.JAVA_BYTE);
                flags[0] = item.clientFlags();
                cas[0] = item.casUnique(); // its segment's base plus its delta: both must be the item's
            });
            if (hit) {
                hits++;
                check(k, last[0], flags[0]);
                assertTrue(cas[0] > 0 && cas[0] <= MAX_CAS, k + " read with CAS unique " + cas[0]);
            }
        }
        return hits;
    }

    private static long increment(Store store) {
        SplittableRandom random = new SplittableRandom();
        long done = 0;
        ItemWrite write = new ItemWrite();
        for (int i = 0; i < OPS / 2; i++) {
            MemorySegment key = key("counter" + random.nextInt(COUNTERS));
            ArithmeticResult status = store.increment(write.reset().key(key, 0, (int) key.byteSize()), 1);
            if (status == ArithmeticResult.UPDATED) {
                done++;
            } else {
                throw new AssertionError("incr returned " + status);
            }
            long[] ignored = new long[1];
            store.get(key, 0, (int) key.byteSize(), item -> ignored[0] = item.valueLength());
        }
        return done;
    }

    /** Value layout: key bytes, '|', filler, then 8 bytes of CRC32 over everything before it. */
    private static int value(String key, int length, int salt, byte[] out) {
        byte[] k = key.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(k, 0, out, 0, k.length);
        out[k.length] = '|';
        for (int i = k.length + 1; i < length - 8; i++) {
            out[i] = (byte) (salt + i * 31);
        }
        CRC32 crc = new CRC32();
        crc.update(out, 0, length - 8);
        long sum = crc.getValue();
        for (int i = 0; i < 8; i++) {
            out[length - 8 + i] = (byte) (sum >>> (8 * i));
        }
        return length;
    }

    private static void check(String key, byte[] value, int flags) {
        byte[] k = key.getBytes(StandardCharsets.US_ASCII);
        if (value.length != flags) {
            throw new AssertionError("value of " + key + " is " + value.length + " bytes, its flags say " + flags);
        }
        for (int i = 0; i < k.length; i++) {
            if (value[i] != k[i]) {
                throw new AssertionError("get(" + key + ") returned another key's value");
            }
        }
        if (value[k.length] != '|') {
            throw new AssertionError("get(" + key + ") returned another key's value");
        }
        CRC32 crc = new CRC32();
        crc.update(value, 0, value.length - 8);
        long sum = 0;
        for (int i = 0; i < 8; i++) {
            sum |= (value[value.length - 8 + i] & 0xFFL) << (8 * i);
        }
        if (sum != crc.getValue()) {
            throw new AssertionError("torn value for " + key);
        }
    }

    private static MemorySegment key(String k) {
        return MemorySegment.ofArray(k.getBytes(StandardCharsets.US_ASCII));
    }

    private static String text(ItemView item) {
        return new String(item.memory().asSlice(item.valueOffset(), item.valueLength()).toArray(ValueLayout.JAVA_BYTE),
                StandardCharsets.US_ASCII);
    }
}
