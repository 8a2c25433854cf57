package dev.mnemo.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegionFileTest {

    @TempDir
    Path dir;

    private StoreBuilder config(Path file) {
        return Store.builder().memoryLimit(8L * Fixture.MIB).memoryFile(file);
    }

    @Test
    void fileBackedStoreWorksAndReopensWithTheSameGeometry() {
        Path file = dir.resolve("mnemo.region");
        try (Fixture f = new Fixture(config(file))) {
            f.set("k", "v");
            assertEquals("v", f.get("k"));
        }
        assertTrue(Files.exists(file));
        try (Fixture f = new Fixture(config(file))) {
            assertEquals("v", f.get("k"), "a warm restart finds the item again");
            f.set("k", "w");
            assertEquals("w", f.get("k"));
            f.store.checkConsistency();
        }
    }

    @Test
    void mismatchedGeometryIsRefused() {
        Path file = dir.resolve("mnemo.region");
        new Fixture(config(file)).close();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> config(file).memoryLimit(16L * Fixture.MIB).sweepExpiredInBackground(false).open());
        assertTrue(e.getMessage().contains("was made with -m 8 (8388608 bytes), this store has -m 16"), e.getMessage());
    }

    @Test
    void fileThatIsNotARegionIsRefused() throws IOException {
        Path file = dir.resolve("other");
        Files.write(file, new byte[8192]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config(file).sweepExpiredInBackground(false).open());
        assertTrue(e.getMessage().contains("not a Mnemo region"), e.getMessage());
        Path tiny = dir.resolve("tiny");
        Files.write(tiny, new byte[10]);
        assertThrows(IllegalArgumentException.class, () -> config(tiny).sweepExpiredInBackground(false).open());
    }

    @Test
    void closedStoreRefusesWorkAndClosesTwiceQuietly() {
        Store store = Store.builder().memoryLimit(8L * Fixture.MIB).sweepExpiredInBackground(false).open();
        store.close();
        store.close();
        assertThrows(IllegalStateException.class, () -> store.get(Fixture.bytes("k"), 0, 1, item -> { }));
    }

    @Test
    void memoryLimitTooSmallIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> Store.builder().memoryLimit(2L * Fixture.MIB).sweepExpiredInBackground(false).open());
    }

    @Test
    void regionFitsTheMemoryLimit() {
        try (Store store = Store.builder().memoryLimit(64L * Fixture.MIB).sweepExpiredInBackground(false).open()) {
            StoreStats s = store.stats();
            assertTrue(s.hashBytes() + s.segmentsTotal() * s.segmentSize() + 4096 <= 64L * Fixture.MIB);
            assertEquals(64L * Fixture.MIB, s.limitMaxbytes());
        }
    }
}
