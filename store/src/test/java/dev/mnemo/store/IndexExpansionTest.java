package dev.mnemo.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The index grows with the items it holds ({@link Index#expand}, linear hashing): it starts at
 * {@value Region#INITIAL_BUCKETS} buckets, splits one bucket at a time as inserts crowd it, and
 * stops at the buckets the memory limit reserves. No key is lost or missed while it grows.
 */
class IndexExpansionTest {

    private static final long LIMIT = 64L * Fixture.MIB;
    private static final long RESERVED = Region.Geometry.of(LIMIT, StoreConfig.MIB).buckets();
    /** An owner id of process slot 40, which no process holds: a dead splitter. */
    private static final long DEAD_OWNER = 41L << 24 | 1;
    private static final int ITEMS = 60_000;

    @TempDir
    Path dir;

    @Test
    void addressesStayInTheBucketsInUseAndASplitMovesKeysOnlyToTheNewBucket() {
        SplittableRandom random = new SplittableRandom(3);
        for (int n = 0; n < 100_000; n++) {
            long hash = random.nextLong();
            long active = 1 + random.nextLong(1L << 30);
            long before = Index.address(hash, active);
            long after = Index.address(hash, active + 1);
            assertTrue(before >= 0 && before < active, before + " of " + active);
            long split = active - Long.highestOneBit(active);
            assertTrue(after == before || before == split && after == active,
                    "hash " + hash + ": bucket " + before + " became " + after + " when bucket " + split + " split");
        }
    }

    @Test
    void startsSmallAndGrowsAboutHalfFullWithTheItems() {
        try (Fixture f = new Fixture(Store.builder().memoryLimit(LIMIT))) {
            assertEquals(Region.INITIAL_BUCKETS * Region.BUCKET_SIZE, f.store.stats().hashBytes());
            assertEquals(16, f.store.stats().hashPowerLevel(), "2^16 slots cover 8,192 buckets of 7");
            int items = 100_000;
            for (int i = 0; i < items; i++) {
                assertEquals(WriteResult.STORED, f.set("key" + i, "v" + i));
            }
            long buckets = f.store.stats().hashBytes() / Region.BUCKET_SIZE;
            double perBucket = (double) items / buckets;
            assertTrue(buckets > Region.INITIAL_BUCKETS && buckets < RESERVED, buckets + " buckets of " + RESERVED);
            assertTrue(perBucket > 2.5 && perBucket < 5, perBucket + " items per bucket of 7 slots");
            assertTrue(1L << f.store.stats().hashPowerLevel() >= buckets * Region.SLOTS_PER_BUCKET);
            assertEquals(0, f.store.stats().evictions());
            for (int i = 0; i < items; i++) {
                assertEquals("v" + i, f.get("key" + i), "key" + i);
            }
            f.store.checkConsistency();
        }
    }

    @Test
    void stopsAtTheBucketsTheMemoryLimitReserves() {
        long limit = 16L * Fixture.MIB;
        long reserved = Region.Geometry.of(limit, StoreConfig.MIB).buckets();
        try (Fixture f = new Fixture(Store.builder().memoryLimit(limit))) {
            for (int i = 0; f.store.stats().evictions() < 10_000; i++) {
                f.set("key" + i, "v");
            }
            assertEquals(reserved * Region.BUCKET_SIZE, f.store.stats().hashBytes());
            f.store.checkConsistency();
        }
    }

    @Test
    void readersNeverMissAKeyWhileWritersGrowTheIndex() {
        try (Fixture f = new Fixture(Store.builder().memoryLimit(LIMIT))) {
            int stable = 2000;
            for (int i = 0; i < stable; i++) {
                f.set("stable" + i, "s" + i);
            }
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicLong misses = new AtomicLong();
            AtomicLong reads = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    MemorySegment[] keys = new MemorySegment[stable];
                    for (int i = 0; i < stable; i++) {
                        keys[i] = Fixture.bytes("stable" + i);
                    }
                    while (writing.get()) {
                        for (MemorySegment key : keys) {
                            if (!f.store.get(key, 0, (int) key.byteSize(), item -> { })) {
                                misses.incrementAndGet();
                            }
                            reads.incrementAndGet();
                        }
                    }
                }));
            }
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int writer = w;
                writers.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 60_000; i++) {
                        f.set("grow" + writer + "-" + i, "g" + i);
                    }
                }));
            }
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                for (Thread t : writers) {
                    t.join();
                }
                writing.set(false);
                for (Thread t : threads) {
                    t.join();
                }
            });
            assertTrue(reads.get() >= stable, "the readers read while the index grew: " + reads.get());
            assertEquals(0, misses.get(), "gets of keys stored before the growth, out of " + reads.get());
            assertTrue(f.store.stats().hashBytes() > 4 * Region.INITIAL_BUCKETS * Region.BUCKET_SIZE,
                    "the writers grew the index: " + f.store.stats().hashBytes());
            for (int w = 0; w < 2; w++) {
                for (int i = 0; i < 60_000; i++) {
                    assertEquals("g" + i, f.get("grow" + w + "-" + i));
                }
            }
            assertEquals(stable + 120_000, f.store.stats().currItems());
            f.store.checkConsistency();
        }
    }

    @ParameterizedTest(name = "published: {0}")
    @ValueSource(booleans = {false, true})
    void aSplitCutShortByADeadProcessIsRepairedAtRestart(boolean published) throws IOException {
        Path file = dir.resolve("region");
        fillAndClose(file);
        simulateDeadSplit(file, published);
        try (Store store = Store.builder().memoryLimit(LIMIT).memoryFile(file).sweepExpiredInBackground(false).open()) {
            store.checkConsistency(); // a warm restart's rebuild cleared the copies that do not belong
            checkAllAndGrowOn(store);
        }
    }

    @ParameterizedTest(name = "published: {0}")
    @ValueSource(booleans = {false, true})
    void aSplitCutShortByADeadProcessIsRepairedWhileTheStoreRuns(boolean published) throws IOException {
        Path file = dir.resolve("region");
        fillAndClose(file);
        try (Store store = Store.builder().memoryLimit(LIMIT).memoryFile(file).sweepExpiredInBackground(false).open()) {
            simulateDeadSplit(file, published); // through a second mapping, as another process would
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> checkAllAndGrowOn(store)); // readers break the dead locks
        }
    }

    private static void fillAndClose(Path file) {
        try (Store store = Store.builder().memoryLimit(LIMIT).memoryFile(file).sweepExpiredInBackground(false).open()) {
            for (int i = 0; i < ITEMS; i++) {
                store.set(Fixture.write("key" + i, "v" + i));
            }
        }
    }

    /**
     * Leaves the region as a process killed in the middle of {@link Index#expand} would: the slots
     * of the next bucket to split that move are copied to the new bucket, the new count is
     * published or not, both buckets and the expansion lock stay held by a dead owner.
     */
    private static void simulateDeadSplit(Path file, boolean published) throws IOException {
        Region.Geometry g = Region.Geometry.of(LIMIT, StoreConfig.MIB);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             Arena arena = Arena.ofConfined()) {
            MemorySegment m = channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size(), arena);
            long active = m.get(ValueLayout.JAVA_LONG, RegionHeader.ACTIVE_BUCKETS);
            long from = active - Long.highestOneBit(active);
            long fromWord = g.indexOffset() + from * Region.BUCKET_SIZE;
            long toWord = g.indexOffset() + active * Region.BUCKET_SIZE;
            int moved = 0;
            for (int i = 0; i < Region.SLOTS_PER_BUCKET; i++) {
                long slot = m.get(ValueLayout.JAVA_LONG, fromWord + 8 + 8L * i);
                if (slot == 0) {
                    continue;
                }
                long item = Index.itemOf(slot);
                long hash = KeyHash.hash(m, Items.keyOffset(item), Items.keyLength(m, item));
                if (!Index.isBucketOf(hash, from, active + 1)) {
                    m.set(ValueLayout.JAVA_LONG, toWord + 8 + 8L * moved++, slot);
                }
            }
            assertTrue(moved > 0, "the split moves a slot of bucket " + from);
            if (published) {
                m.set(ValueLayout.JAVA_LONG, RegionHeader.ACTIVE_BUCKETS, active + 1);
            }
            m.set(ValueLayout.JAVA_LONG, RegionHeader.EXPANSION_LOCK, DEAD_OWNER);
            m.set(ValueLayout.JAVA_LONG, fromWord, DEAD_OWNER << 32 | (m.get(ValueLayout.JAVA_LONG, fromWord) + 1));
            m.set(ValueLayout.JAVA_LONG, toWord, DEAD_OWNER << 32 | (m.get(ValueLayout.JAVA_LONG, toWord) + 1));
        }
    }

    private static void checkAllAndGrowOn(Store store) {
        for (int i = 0; i < ITEMS; i++) {
            assertEquals("v" + i, value(store, "key" + i), "key" + i);
        }
        long before = store.stats().hashBytes();
        for (int i = ITEMS; i < 2 * ITEMS; i++) { // the expansion lock is taken over from the dead splitter
            store.set(Fixture.write("key" + i, "v" + i));
        }
        assertTrue(store.stats().hashBytes() > before, "the index grows on: " + store.stats().hashBytes());
        for (int i = 0; i < 2 * ITEMS; i++) {
            assertEquals("v" + i, value(store, "key" + i), "key" + i);
        }
        assertEquals(2 * ITEMS, store.stats().currItems());
        store.checkConsistency();
    }

    private static String value(Store store, String key) {
        MemorySegment k = Fixture.bytes(key);
        Fixture.Captured c = new Fixture.Captured();
        return store.get(k, 0, (int) k.byteSize(), c) ? c.value : null;
    }
}
