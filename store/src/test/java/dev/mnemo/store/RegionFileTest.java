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

    private StoreConfig config(Path file) {
        return StoreConfig.defaults().withMemoryLimit(8L * StoreConfig.MIB).withMemoryFile(file);
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
                () -> Store.open(config(file).withMemoryLimit(16L * StoreConfig.MIB)));
        assertTrue(e.getMessage().contains("was made with -m 8 (8388608 bytes), this store has -m 16"), e.getMessage());
    }

    @Test
    void fileThatIsNotARegionIsRefused() throws IOException {
        Path file = dir.resolve("other");
        Files.write(file, new byte[8192]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Store.open(config(file)));
        assertTrue(e.getMessage().contains("not a Mnemo region"), e.getMessage());
        Path tiny = dir.resolve("tiny");
        Files.write(tiny, new byte[10]);
        assertThrows(IllegalArgumentException.class, () -> Store.open(config(tiny)));
    }

    @Test
    void closedStoreRefusesWorkAndClosesTwiceQuietly() {
        Store store = Store.open(StoreConfig.defaults().withMemoryLimit(8L * StoreConfig.MIB));
        store.close();
        store.close();
        assertThrows(IllegalStateException.class, () -> store.get(Fixture.bytes("k"), 0, 1, item -> { }));
    }

    @Test
    void memoryLimitTooSmallIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> Store.open(StoreConfig.defaults().withMemoryLimit(2L * StoreConfig.MIB)));
    }

    @Test
    void regionFitsTheMemoryLimit() {
        try (Store store = Store.open(StoreConfig.defaults().withMemoryLimit(64L * StoreConfig.MIB))) {
            StoreStats s = store.stats();
            assertTrue(s.hashBytes() + s.segmentsTotal() * s.segmentSize() + 4096 <= 64L * StoreConfig.MIB);
            assertEquals(64L * StoreConfig.MIB, s.limitMaxbytes());
        }
    }
}
