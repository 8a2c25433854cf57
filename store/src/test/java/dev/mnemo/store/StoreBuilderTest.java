package dev.mnemo.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Store#builder()}: defaults, each setting reaching the store, refused settings and the background sweeper. */
class StoreBuilderTest {

    private static final String SWEEPER = "mnemo-expiry-sweeper";

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** @return the live threads named as the store's sweeper */
    private static Set<Thread> sweepers() {
        Set<Thread> found = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(SWEEPER) && t.isAlive()) {
                found.add(t);
            }
        }
        return found;
    }

    @Test
    void defaultsAreA64MiBAnonymousStoreWithCasAndA1MiBMaxItemSize() {
        try (Store store = Store.builder().open()) {
            assertEquals(64L << 20, store.memoryLimit());
            assertEquals(64L << 20, store.stats().limitMaxbytes());
            assertEquals(1 << 20, store.maxItemSize());
            assertTrue(store.casEnabled());
            assertNull(store.memoryFile(), "anonymous memory");
            long before = System.currentTimeMillis() / 1000;
            long now = store.nowSeconds();
            assertTrue(now >= before && now <= System.currentTimeMillis() / 1000, "the system clock: " + now);
            store.set(b("k"), b("v"));
            assertTrue(store.getItem(b("k")).casUnique() != 0);
        }
    }

    @Test
    void eachSettingReachesTheStore() throws Exception {
        Path file = dir.resolve("cache.mem");
        ManualClock clock = new ManualClock(Fixture.START);
        try (Store store = Store.builder().memoryLimit(16L << 20).maxItemSize(4096).memoryFile(file)
                .memoryFileMode("0640").casEnabled(false).clock(clock).sweepExpiredInBackground(false).open()) {
            assertEquals(16L << 20, store.memoryLimit());
            assertEquals(16L << 20, store.stats().limitMaxbytes());
            assertEquals(4096, store.maxItemSize());
            assertThrows(ItemTooLargeException.class, () -> store.set(b("k"), new byte[4097]));
            store.set(b("k"), new byte[4096]);
            assertEquals(file, store.memoryFile());
            assertTrue(Files.exists(file));
            assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertFalse(store.casEnabled());
            assertEquals(0, store.getItem(b("k")).casUnique());
            assertEquals(Fixture.START, store.nowSeconds());
            clock.advance(7);
            assertEquals(Fixture.START + 7, store.nowSeconds());
        }
    }

    @Test
    void discardExistingReinitialisesAMismatchingFile() {
        Path file = dir.resolve("cache.mem");
        try (Store store = Store.builder().memoryLimit(8L << 20).memoryFile(file).sweepExpiredInBackground(false).open()) {
            store.set(b("k"), b("v"));
        }
        assertThrows(IllegalArgumentException.class,
                () -> Store.builder().memoryLimit(16L << 20).memoryFile(file).sweepExpiredInBackground(false).open());
        try (Store store = Store.builder().memoryLimit(16L << 20).memoryFile(file).discardExisting(true)
                .sweepExpiredInBackground(false).open()) {
            assertNull(store.get(b("k")));
            assertEquals(16L << 20, store.memoryLimit());
        }
    }

    @Test
    void oneBuilderOpensSeveralIndependentStores() {
        StoreBuilder builder = Store.builder().memoryLimit(8L << 20).sweepExpiredInBackground(false);
        try (Store a = builder.open(); Store b = builder.open()) {
            a.set(b("k"), b("a"));
            assertNull(b.get(b("k")));
        }
    }

    @Test
    void aMemoryLimitTooSmallForTheMaxItemSizeNamesTheSmallestThatWorks() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Store.builder().memoryLimit(2L << 20).maxItemSize(1 << 20).open());
        assertTrue(e.getMessage().endsWith("the smallest memory limit that works for this max item size is 5 MiB"), e.getMessage());
        Store.builder().memoryLimit(5L << 20).maxItemSize(1 << 20).sweepExpiredInBackground(false).open().close();
        assertThrows(IllegalArgumentException.class, () -> Store.builder().memoryLimit(4L << 20).maxItemSize(1 << 20).open());
        assertEquals(1, Region.Geometry.smallestLimitMiB(1024), "1 MiB for 1 KiB items");
        assertEquals(2, Region.Geometry.smallestLimitMiB(256 << 10), "memcached's -m 2 works with -I 256k");
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Store.builder().memoryLimit(0).open());
        assertThrows(IllegalArgumentException.class, () -> Store.builder().memoryLimit(-1).open());
        assertThrows(IllegalArgumentException.class, () -> Store.builder().memoryLimit(64 << 10).open(), "too small");
        assertThrows(IllegalArgumentException.class, () -> Store.builder().maxItemSize(0).open());
        assertThrows(IllegalArgumentException.class, () -> Store.builder().maxItemSize(1023).open(), "below 1 KiB");
        assertThrows(IllegalArgumentException.class, () -> Store.builder().maxItemSize((1 << 30) + 1).open(), "over 1 GiB");
        assertThrows(IllegalArgumentException.class,
                () -> Store.builder().memoryLimit(2L << 20).maxItemSize(1 << 20).open(), "too small for the max item size");
        assertThrows(IllegalArgumentException.class,
                () -> Store.builder().memoryFile(dir.resolve("f")).memoryFileMode("rw").open());
        assertThrows(NullPointerException.class, () -> Store.builder().clock(null));
        assertThrows(NullPointerException.class, () -> Store.builder().memoryFileMode(null));
        assertTrue(sweepers().isEmpty(), "a refused store leaves no sweeper thread behind");
    }

    @Test
    void theBackgroundSweeperReclaimsExpiredItemsWithNoSweepCall() throws Exception {
        ManualClock clock = new ManualClock(Fixture.START);
        Set<Thread> before = sweepers();
        Set<Thread> started;
        try (Store store = Store.builder().memoryLimit(16L << 20).clock(clock).open()) {
            started = sweepers();
            started.removeAll(before);
            assertEquals(1, started.size(), "the store started one sweeper thread");
            assertTrue(started.iterator().next().isDaemon(), "it does not keep the JVM alive");
            for (int i = 0; i < 20_000; i++) { // fills and seals segments: the sweeper skips the open ones
                store.set(b("k" + i), b("v".repeat(100)), Duration.ofSeconds(10));
            }
            store.set(b("forever"), b("x"));
            clock.advance(10);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (store.stats().reclaimed() == 0 && System.nanoTime() < deadline) { // a bounded poll
                Thread.sleep(10);
            }
            StoreStats stats = store.stats();
            // the sweeper may be counting an item between the two counters as the snapshot reads them: poll (bounded)
            // for a snapshot taken between its steps
            while (stats.reclaimed() != stats.expiredUnfetched() && System.nanoTime() < deadline) {
                Thread.sleep(10);
                stats = store.stats();
            }
            assertTrue(stats.reclaimed() > 0, "the sweeper reclaimed expired items by itself");
            assertEquals(stats.reclaimed(), stats.expiredUnfetched(), "no reclaimed item had been read");
            assertEquals("x", new String(store.get(b("forever")), StandardCharsets.UTF_8));
        }
        for (Thread t : started) {
            t.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(t.isAlive(), "close() stops the sweeper thread");
        }
        assertTrue(sweepers().stream().noneMatch(started::contains));
    }

    @Test
    void noSweeperThreadWhenTurnedOffAndSweepingByHandWorks() {
        ManualClock clock = new ManualClock(Fixture.START);
        Set<Thread> before = sweepers();
        try (Store store = Store.builder().memoryLimit(16L << 20).clock(clock).sweepExpiredInBackground(false).open()) {
            assertEquals(before, sweepers(), "no sweeper thread");
            for (int i = 0; i < 20_000; i++) {
                store.set(b("k" + i), b("v".repeat(100)), Duration.ofSeconds(10));
            }
            clock.advance(10);
            assertEquals(0, store.stats().reclaimed(), "nobody sweeps but the owner");
            int reclaimed = store.sweepExpired(Integer.MAX_VALUE);
            assertTrue(reclaimed > 10_000, "reclaimed " + reclaimed);
            assertEquals(reclaimed, store.stats().reclaimed());
        }
    }
}
