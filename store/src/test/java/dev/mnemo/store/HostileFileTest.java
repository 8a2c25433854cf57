package dev.mnemo.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random bytes written into a memory file's index, segment metadata and segments, before an
 * open and under a running store: operations may fail, but only with a clear exception
 * ({@link IllegalStateException}, of which {@link StoreCorruptedException}, or
 * {@link IllegalArgumentException} for a refused file), in bounded time, never outside the region.
 * And whatever a get returns after damage is a miss or exactly the bytes stored under that key
 * (issue 16, "Never serve damaged bytes"): 4 KiB of random bytes at many offsets of a closed
 * store's file, then a warm restart (the rebuild) or an attach.
 */
class HostileFileTest {

    private static final long MEMORY = 8L * Fixture.MIB;

    @TempDir
    Path dir;

    private final Region.Geometry geometry = Region.Geometry.of(MEMORY, Fixture.MIB);

    private StoreBuilder config(Path file) {
        return Store.builder().memoryLimit(MEMORY).memoryFile(file);
    }

    private Path filledFile(String name) {
        Path file = dir.resolve(name);
        try (Store store = config(file).sweepExpiredInBackground(false).open()) {
            for (int i = 0; i < 20_000; i++) {
                ChildProcess.set(store, "key" + i, ChildProcess.value("key" + i, 0));
            }
        }
        return file;
    }

    /** Writes {@code count} random bytes at random places in [from, to) of the file. */
    private static void scribble(Path file, long from, long to, int count, SplittableRandom random) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             Arena arena = Arena.ofConfined()) {
            MemorySegment m = channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size(), arena);
            for (int i = 0; i < count; i++) {
                m.set(ValueLayout.JAVA_BYTE, from + random.nextLong(to - from), (byte) random.nextInt(256));
            }
        }
    }

    /** Runs operations on every key; only clear exceptions are allowed. */
    private static void exercise(Store store, SplittableRandom random) {
        for (int i = 0; i < 30_000; i++) {
            String key = "key" + random.nextInt(25_000);
            try {
                switch (random.nextInt(5)) {
                    case 0 -> ChildProcess.set(store, key, ChildProcess.value(key, 1));
                    case 1 -> store.delete(Fixture.bytes(key), 0, key.length(), 0);
                    case 2 -> store.touch(Fixture.bytes(key), 0, key.length(), store.nowSeconds() + 100);
                    default -> ChildProcess.get(store, key);
                }
            } catch (IllegalStateException | IllegalArgumentException expected) {
                // a clear failure of this operation; the next ones go on
            }
        }
        try {
            store.sweepExpired(1000);
            store.checkConsistency();
        } catch (IllegalStateException expected) {
            // the corruption found
        }
    }

    private void corruptThenOpen(String name, long from, long to, long seed) throws IOException {
        Path file = filledFile(name);
        SplittableRandom random = new SplittableRandom(seed);
        scribble(file, from, to, 2000, random);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Store store;
            try {
                store = config(file).sweepExpiredInBackground(false).open();
            } catch (IllegalStateException | IllegalArgumentException refused) {
                return;
            }
            try (store) {
                exercise(store, random);
            }
        });
    }

    @Test
    void corruptIndexBeforeOpen() throws IOException {
        corruptThenOpen("index", geometry.indexOffset(), geometry.ghostOffset(), 1);
    }

    @Test
    void corruptSegmentMetadataBeforeOpen() throws IOException {
        corruptThenOpen("meta", Region.META_OFFSET, geometry.indexOffset(), 2);
    }

    @Test
    void corruptSegmentsBeforeOpen() throws IOException {
        corruptThenOpen("segments", geometry.segmentsOffset(), geometry.regionSize(), 3);
    }

    @Test
    void corruptHeaderStateAndProcessTableBeforeOpen() throws IOException {
        corruptThenOpen("header", RegionHeader.SEGMENT_LOCK, RegionHeader.PROCESSES + 2048, 5);
    }

    @Test
    void corruptHeaderStateUnderARunningStore() throws IOException {
        Path file = filledFile("live-header");
        SplittableRandom random = new SplittableRandom(6);
        try (Store store = config(file).sweepExpiredInBackground(false).open()) {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                for (int round = 0; round < 3; round++) {
                    scribble(file, RegionHeader.SEGMENT_LOCK, RegionHeader.QUEUE_COUNT + 16, 40, random);
                    exercise(store, random);
                }
            });
        }
    }

    @Test
    void corruptionUnderARunningStore() throws IOException {
        Path file = filledFile("live");
        SplittableRandom random = new SplittableRandom(4);
        try (Store store = config(file).sweepExpiredInBackground(false).open()) {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                for (long[] range : new long[][] {{geometry.indexOffset(), geometry.ghostOffset()},
                    {geometry.segmentsOffset(), geometry.regionSize()}, {Region.META_OFFSET, geometry.indexOffset()}}) {
                    scribble(file, range[0], range[1], 300, random);
                    exercise(store, random);
                }
            });
        }
    }

    // ---- never serve damaged bytes (issue 16) ----

    /** Damage of {@value} bytes, as issue 16's hostile-file trial wrote. */
    private static final int DAMAGE = 4096;

    /** @return how many keys a test writes into a store of {@code memory} bytes: a little more than fit */
    private static int keys(long memory) {
        return (int) (memory / 160);
    }

    private static byte[] key(int i) {
        return ("k:" + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** Key i's value: 0 to 299 random bytes from a seed of i, so no value shows its own damage. */
    private static byte[] value(int i) {
        SplittableRandom random = new SplittableRandom(i * 0x9E3779B97F4A7C15L);
        byte[] value = new byte[random.nextInt(300)];
        random.nextBytes(value);
        return value;
    }

    private static int flags(int i) {
        return i * 0x01000193;
    }

    /** A closed store's file of {@code memory} bytes, written with every key: some evicted. */
    private Path storedFile(String name, long memory) {
        Path file = dir.resolve(name);
        try (Store store = Store.builder().memoryLimit(memory).memoryFile(file).sweepExpiredInBackground(false).open();
             Arena arena = Arena.ofConfined()) {
            ItemWrite w = new ItemWrite();
            for (int i = 0; i < keys(memory); i++) {
                MemorySegment k = arena.allocateFrom(ValueLayout.JAVA_BYTE, key(i));
                byte[] v = value(i);
                MemorySegment m = v.length == 0 ? arena.allocate(1) : arena.allocateFrom(ValueLayout.JAVA_BYTE, v);
                store.set(w.reset().key(k, 0, (int) k.byteSize()).value(m, 0, v.length).clientFlags(flags(i)));
            }
        }
        return file;
    }

    /** Overwrites {@link #DAMAGE} bytes of the file at {@code offset} (clipped to its end) with random ones. */
    private static void damage(Path file, long offset, SplittableRandom random) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             Arena arena = Arena.ofConfined()) {
            MemorySegment m = channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size(), arena);
            long end = Math.min(m.byteSize(), offset + DAMAGE);
            for (long at = offset; at < end; at++) {
                m.set(ValueLayout.JAVA_BYTE, at, (byte) random.nextInt(256));
            }
        }
    }

    /** The damage offsets of one trial: fractions of the file, then seeded random places. */
    private static List<Long> offsets(long length, long seed) {
        List<Long> offsets = new ArrayList<>();
        for (double fraction : new double[] {0.01, 0.1, 0.25, 0.5, 0.75, 0.99}) {
            offsets.add((long) (length * fraction));
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 6; i++) {
            offsets.add(RegionHeader.SIZE + random.nextLong(length - RegionHeader.SIZE));
        }
        return offsets;
    }

    /**
     * Gets every key: each must be a miss or exactly the value and client flags stored.
     *
     * @return how many hit
     */
    private static int checkEveryGet(Store store, String trial, boolean rebuilt) {
        int hits = 0;
        for (int i = 0; i < keys(store.memoryLimit()); i++) {
            Item item;
            try {
                item = store.getItem(key(i));
            } catch (StoreCorruptedException clear) {
                if (rebuilt) {
                    throw new AssertionError(trial + ": the rebuild left a damaged index slot", clear);
                }
                continue; // attached: an index slot pointing outside the region is refused, not served
            }
            if (item != null) {
                hits++;
                assertArrayEquals(value(i), item.value(), trial + ": the value of key " + i);
                assertEquals(flags(i), item.clientFlags(), trial + ": the client flags of key " + i);
            }
        }
        return hits;
    }

    /**
     * Damages a closed store's file at each offset in turn (a fresh file each time), reopens
     * it with {@code reopen} (a warm restart, which rebuilds, or an attach, which does not) and
     * checks every get. Open may refuse the file, with a clear
     * exception; else every get is a miss or exact.
     *
     * @return the items dropped for their checksum over all trials
     */
    private long damageAndCheck(long memory, long seed, boolean rebuilt, Function<Path, Store> reopen)
            throws IOException {
        Path pristine = storedFile("pristine-" + memory, memory);
        long length = java.nio.file.Files.size(pristine);
        long dropped = 0;
        int trial = 0;
        for (long offset : offsets(length, seed)) {
            Path file = dir.resolve("damaged-" + memory + "-" + trial++);
            java.nio.file.Files.copy(pristine, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            damage(file, offset, new SplittableRandom(seed + offset));
            String name = DAMAGE + " random bytes at " + offset + " of " + length;
            long found = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                Store store;
                try {
                    store = reopen.apply(file);
                } catch (IllegalStateException | IllegalArgumentException refused) {
                    return 0L;
                }
                try (store) {
                    int hits = checkEveryGet(store, name, rebuilt);
                    assertTrue(hits > keys(memory) / 10, name + ": only " + hits + " hits; damage of 4 KiB lost most items");
                    long badcrc = store.stats().badcrcFromMemoryFile();
                    if (rebuilt) {
                        keepsWorking(store, name);
                    }
                    return badcrc;
                }
            }, name);
            dropped += found;
        }
        return dropped;
    }

    /**
     * After a rebuild the damage is gone from the store's structures: the expiry sweep, the
     * evictor (which walk the segments' chains) and the whole-region check find nothing wrong
     * while new items replace every segment.
     */
    private static void keepsWorking(Store store, String trial) {
        store.sweepExpired(Integer.MAX_VALUE);
        byte[] value = new byte[200];
        for (int i = 0; i < 2 * keys(store.memoryLimit()); i++) {
            store.set(("new:" + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII), value);
        }
        store.sweepExpired(Integer.MAX_VALUE);
        store.checkConsistency();
        byte[] last = ("new:" + (2 * keys(store.memoryLimit()) - 1)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertArrayEquals(value, store.get(last), trial + ": the last item written after the rebuild");
    }

    @ParameterizedTest
    @ValueSource(longs = {8L << 20, 32L << 20}) // -m 64 and -m 256 (issue 16's trials) scaled down by 8
    void damagedItemsAreNeverServedAfterAWarmRestart(long memory) throws IOException {
        long dropped = damageAndCheck(memory, 16, true, file ->
                Store.builder().memoryLimit(memory).memoryFile(file).sweepExpiredInBackground(false).open());
        assertTrue(dropped > 0, "no trial damaged an item that the rebuild caught: the trials test nothing");
    }

    @Test
    void damagedItemsAreNeverServedToAnAttachedProcess() throws IOException {
        long dropped = damageAndCheck(8L << 20, 17, false, Store::attach);
        assertTrue(dropped > 0, "no trial damaged an item that a get caught: the trials test nothing");
    }

    @Test
    void damageToTheHeaderIsRefusedAtOpen() throws IOException {
        Path file = storedFile("header", 8L << 20);
        damage(file, 0, new SplittableRandom(18));
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            assertThrows(IllegalArgumentException.class,
                    () -> Store.builder().memoryLimit(8L << 20).memoryFile(file).open().close());
            assertThrows(IllegalArgumentException.class, () -> Store.attach(file).close());
        });
    }

    @Test
    void aFileOfThePreviousLayoutIsRefusedByNameOrDiscarded() throws IOException {
        Path file = storedFile("layout-4", 8L << 20);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             Arena arena = Arena.ofConfined()) {
            MemorySegment m = channel.map(FileChannel.MapMode.READ_WRITE, 0, RegionHeader.SIZE, arena);
            m.set(ValueLayout.JAVA_INT_UNALIGNED, 8, Region.LAYOUT_VERSION - 1); // the header's layout version (offset 8)
        }
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> Store.builder().memoryLimit(8L << 20).memoryFile(file).open().close());
        assertTrue(refused.getMessage().contains("layout version " + (Region.LAYOUT_VERSION - 1)
                + ", this store reads version " + Region.LAYOUT_VERSION), refused.getMessage());
        try (Store store = Store.builder().memoryLimit(8L << 20).memoryFile(file).discardExisting(true).open()) {
            assertEquals(0, store.stats().currItems());
            assertEquals(null, store.get(key(1)));
            store.set(key(1), value(1));
            assertArrayEquals(value(1), store.get(key(1)));
        }
    }
}
