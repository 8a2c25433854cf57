package dev.mnemo.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Store.open on an existing memory file: a warm restart after a clean close, and refusing or discarding a mismatch. */
class WarmRestartTest {

    @TempDir
    Path dir;

    private StoreBuilder config(Path file) {
        return Store.builder().memoryLimit(8L * Fixture.MIB).memoryFile(file);
    }

    @Test
    void itemsComeBackWithFlagsCasAndTtl() {
        Path file = dir.resolve("region");
        Fixture.Captured before;
        long statsTotal;
        try (Fixture f = new Fixture(config(file))) {
            for (int i = 0; i < 2000; i++) {
                assertEquals(WriteResult.STORED, f.set("key" + i, "value" + i, i, 0));
            }
            assertEquals(WriteResult.STORED, f.set("ttl", "short", 5, f.in(100)));
            assertEquals(WriteResult.STORED, f.set("expiring", "soon", 0, f.in(10)));
            assertEquals(WriteResult.STORED, f.set("deleted", "x"));
            assertEquals(DeleteResult.DELETED, f.delete("deleted"));
            before = f.item("ttl");
            statsTotal = f.store.stats().currItems();
            f.store.checkConsistency();
        }
        try (Fixture f = new Fixture(config(file))) {
            f.clock.advance(50);
            f.store.checkConsistency();
            assertEquals(statsTotal, f.store.stats().currItems(), "curr_items is recounted");
            for (int i = 0; i < 2000; i++) {
                Fixture.Captured c = f.item("key" + i);
                assertEquals("value" + i, c.value);
                assertEquals(i, c.flags);
            }
            Fixture.Captured ttl = f.item("ttl");
            assertEquals("short", ttl.value);
            assertEquals(before.cas, ttl.cas, "the CAS unique survives");
            assertEquals(before.expiresAt, ttl.expiresAt, "the exptime is absolute and survives");
            assertNull(f.get("expiring"), "expired while the store was down");
            assertNull(f.get("deleted"));
            assertEquals(WriteResult.STORED, f.cas("key0", "new", f.item("key0").cas));
            assertTrue(f.item("key0").cas > before.cas, "new CAS uniques continue after the old ones");
            f.clock.advance(60);
            assertNull(f.get("ttl"), "the TTL still runs out at its absolute time");
            f.store.checkConsistency();
        }
    }

    @Test
    void flushedItemsStayFlushedAndLaterItemsSurvive() {
        Path file = dir.resolve("region");
        try (Fixture f = new Fixture(config(file))) {
            f.set("old", "1");
            f.store.flushAll();
            f.set("new", "2");
        }
        try (Fixture f = new Fixture(config(file))) {
            assertNull(f.get("old"));
            assertEquals("2", f.get("new"));
            f.store.checkConsistency();
        }
    }

    @Test
    void restartsUnderEvictionKeepTheQueuesConsistent() {
        Path file = dir.resolve("region");
        for (int round = 0; round < 3; round++) {
            try (Fixture f = new Fixture(config(file))) {
                for (int i = 0; i < 50_000; i++) {
                    f.set("r" + round + "k" + i, "v".repeat(200));
                    if (i % 3 == 0) {
                        f.get("r" + round + "k" + (i / 2));
                    }
                }
                assertTrue(f.store.stats().evictions() > 0, "the test must evict");
                f.store.checkConsistency();
                assertEquals("v".repeat(200), f.get("r" + round + "k49999"));
            }
            try (Fixture f = new Fixture(config(file))) {
                f.store.checkConsistency();
                assertEquals("v".repeat(200), f.get("r" + round + "k49999"));
            }
        }
    }

    @Test
    void mismatchedFilesAreRefusedWithWhatDiffers() {
        Path file = dir.resolve("region");
        new Fixture(config(file)).close();
        IllegalArgumentException limit = assertThrows(IllegalArgumentException.class,
                () -> config(file).memoryLimit(16L * Fixture.MIB).sweepExpiredInBackground(false).open());
        assertTrue(limit.getMessage().contains("was made with -m 8 (8388608 bytes), this store has -m 16"),
                limit.getMessage());
        IllegalArgumentException item = assertThrows(IllegalArgumentException.class,
                () -> config(file).maxItemSize(2 * Fixture.MIB).sweepExpiredInBackground(false).open());
        assertTrue(item.getMessage().contains("max item size"), item.getMessage());
        IllegalArgumentException cas = assertThrows(IllegalArgumentException.class,
                () -> config(file).casEnabled(false).sweepExpiredInBackground(false).open());
        assertTrue(cas.getMessage().contains("CAS"), cas.getMessage());
    }

    @Test
    void discardReinitialisesAMismatchingFileEmpty() {
        Path file = dir.resolve("region");
        try (Fixture f = new Fixture(config(file))) {
            f.set("k", "v");
        }
        try (Fixture f = new Fixture(config(file).memoryLimit(16L * Fixture.MIB).discardExisting(true))) {
            assertNull(f.get("k"));
            assertEquals(16L * Fixture.MIB, f.store.stats().limitMaxbytes());
            f.set("k", "w");
            f.store.checkConsistency();
        }
        try (Fixture f = new Fixture(config(file).memoryLimit(16L * Fixture.MIB).discardExisting(true))) {
            assertEquals("w", f.get("k"), "a matching file is kept even when discarding is allowed");
        }
    }

    @Test
    void fileModeIsApplied() throws IOException {
        Path file = dir.resolve("default");
        new Fixture(config(file)).close();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        Path shared = dir.resolve("shared");
        new Fixture(config(shared).memoryFileMode("0640")).close();
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(shared)));
        assertThrows(IllegalArgumentException.class, () -> config(file).memoryFileMode("rw").open());
    }
}
