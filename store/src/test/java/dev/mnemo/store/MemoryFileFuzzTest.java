package dev.mnemo.store;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzz target of the memory-file open and attach paths (a hostile file, issue
 * 16): a file written by a real store, then damage the input chooses (up to 16 patches of up to
 * 64 bytes, each in the header, the segment metadata, the index or the segments), then
 * {@link StoreBuilder#open()} (a warm restart) or {@link Store#attach(Path)} (a new process
 * joining), as the input chooses, and a get of every key that was stored.
 *
 * <p>Oracles: the open succeeds or refuses the file with {@link StoreCorruptedException} or, for
 * a header that no longer matches the settings, the {@link IllegalArgumentException}
 * {@link StoreBuilder#open()} and {@link Store#attach(Path)} document; a get returns a miss
 * or exactly the bytes stored under that key (or throws {@link StoreCorruptedException}); the
 * open and the gets take under 10 s. Without JAZZER_FUZZ it
 * replays the committed corpus in
 * {@code src/test/resources/dev/mnemo/store/MemoryFileFuzzTestInputs/damagedFile}.
 */
class MemoryFileFuzzTest {

    private static final long MEMORY = 8L * Fixture.MIB;
    private static final int ITEMS = 1_000;
    /** The bound on one input's open and gets (bench/fuzz.sh also gives libFuzzer a per-input timeout). */
    private static final long MAX_NANOS = 10_000_000_000L;
    private static final Region.Geometry GEOMETRY = Region.Geometry.of(MEMORY, Fixture.MIB);
    /** The file a real store wrote, built once per JVM; each input damages a copy. */
    private static byte[] pristine;
    private static Path work;

    @FuzzTest(maxDuration = "30s")
    void damagedFile(FuzzedDataProvider data) throws IOException {
        byte[] file = pristine().clone();
        int patches = data.consumeInt(1, 16);
        for (int i = 0; i < patches; i++) {
            long[] area = switch (data.consumeInt(0, 3)) {
                case 0 -> new long[] {0, Region.META_OFFSET};
                case 1 -> new long[] {Region.META_OFFSET, GEOMETRY.indexOffset()};
                case 2 -> new long[] {GEOMETRY.indexOffset(), GEOMETRY.segmentsOffset()};
                default -> new long[] {GEOMETRY.segmentsOffset(), file.length};
            };
            int at = (int) data.consumeLong(area[0], area[1] - 1);
            byte[] bytes = data.consumeBytes(data.consumeInt(1, 64));
            System.arraycopy(bytes, 0, file, at, Math.min(bytes.length, file.length - at));
        }
        Files.write(work, file);
        boolean attach = data.consumeBoolean();
        long started = System.nanoTime();
        Store store;
        try {
            store = attach ? Store.attach(work) : builder(work).open();
        } catch (StoreCorruptedException | IllegalArgumentException refused) {
            return; // found corrupt, or a header that no longer matches the store's settings: refused
        }
        try (store) {
            for (int i = 0; i < ITEMS; i++) {
                byte[] key = key(i);
                byte[] value;
                try {
                    value = store.get(key);
                } catch (StoreCorruptedException found) {
                    continue;
                }
                if (value != null) {
                    assertArrayEquals(value(i), value, "the value served for key " + i);
                }
            }
        }
        assertTrue(System.nanoTime() - started < MAX_NANOS, "open and gets took over 10 s");
    }

    private static StoreBuilder builder(Path file) {
        return Store.builder().memoryLimit(MEMORY).memoryFile(file).sweepExpiredInBackground(false);
    }

    private static synchronized byte[] pristine() throws IOException {
        if (pristine == null) {
            Path dir = Files.createTempDirectory("mnemo-memory-file-fuzz");
            dir.toFile().deleteOnExit();
            Path file = dir.resolve("pristine");
            try (Store store = builder(file).open()) {
                for (int i = 0; i < ITEMS; i++) {
                    store.set(key(i), value(i));
                }
            }
            pristine = Files.readAllBytes(file);
            work = dir.resolve("damaged");
            file.toFile().deleteOnExit();
            work.toFile().deleteOnExit();
        }
        return pristine;
    }

    private static byte[] key(int i) {
        return ("key" + i).getBytes(StandardCharsets.US_ASCII);
    }

    /** @return a value unique to the key, 10 to 400 bytes, so a value served under another key is told apart */
    private static byte[] value(int i) {
        byte[] v = new byte[10 + Math.floorMod(i * 31, 391)];
        Arrays.fill(v, (byte) ('a' + i % 26));
        byte[] tag = Integer.toString(i).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(tag, 0, v, 0, Math.min(tag.length, v.length));
        return v;
    }
}
