package dev.mnemo.store;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random bytes written into a memory file's index, segment metadata and segments, before an
 * open and under a running store: operations may fail, but only with a clear exception
 * ({@link IllegalStateException}, of which {@link StoreCorruptedException}, or
 * {@link IllegalArgumentException} for a refused file), in bounded time, never outside the region.
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
}
