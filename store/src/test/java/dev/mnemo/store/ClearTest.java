package dev.mnemo.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Store#clear}: a cleared store behaves as a new one, whatever was done to it before. */
class ClearTest {

    private static final long MEMORY = 8L << 20;

    @TempDir
    Path dir;

    private static StoreBuilder small() {
        return Store.builder().memoryLimit(MEMORY);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Writes enough to evict (24 values of 400 KiB into 8 MiB), mutates, reads back: @return every
     * outcome, CAS unique and stat it saw, to compare between stores
     */
    private static List<Object> script(Store store) {
        List<Object> seen = new ArrayList<>();
        byte[] big = new byte[400 << 10];
        for (int i = 0; i < 24; i++) {
            Arrays.fill(big, (byte) i);
            store.set(b("big" + i), big);
            seen.add(store.add(b("k" + i), b("v" + i)));
        }
        for (int i = 0; i < 24; i++) {
            Item item = store.getItem(b("big" + i));
            seen.add(item == null ? "miss" : item.casUnique() + "/" + item.value()[0]);
            Item small = store.getItem(b("k" + i));
            seen.add(small == null ? "miss" : small.casUnique());
        }
        store.set(b("n"), b("41"));
        seen.add(store.increment(b("n"), 1));
        seen.add(store.compareAndSet(b("n"), 1, b("0")));
        seen.add(store.touch(b("n"), Duration.ofSeconds(60)));
        seen.add(store.stats());
        return seen;
    }

    @Test
    void aClearedStoreBehavesAsANewOne() {
        List<Object> fresh;
        try (Fixture f = new Fixture(small())) {
            fresh = script(f.store);
        }
        try (Fixture f = new Fixture(small())) {
            script(f.store);
            f.store.setMemoryLimit(6L << 20);
            f.store.flushAll(f.in(100)); // a pending flush_all
            f.store.set(b("left"), b("over"));
            f.store.clear();
            StoreChecks.checkConsistency(f.store);
            assertEquals(0, f.store.stats().currItems());
            assertEquals(MEMORY, f.store.stats().limitMaxbytes());
            assertEquals(fresh, script(f.store), "outcomes, CAS uniques and stats after clear");
            f.store.set(b("kept"), b("1"));
            f.clock.advance(200);
            assertTrue(f.store.get(b("kept")) != null, "the flush_all pending before clear is gone");
            f.store.clear();
            assertEquals(fresh, script(f.store), "a second clear");
            StoreChecks.checkConsistency(f.store);
        }
    }

    @Test
    void onlyAnAnonymousStoreWithoutBackgroundSweeperIsCleared() {
        try (Store withSweeper = small().open()) {
            assertThrows(IllegalStateException.class, withSweeper::clear);
        }
        try (Store fileBacked = small().memoryFile(dir.resolve("m")).sweepExpiredInBackground(false).open()) {
            assertThrows(IllegalStateException.class, fileBacked::clear);
        }
        Store closed = small().sweepExpiredInBackground(false).open();
        closed.close();
        assertThrows(IllegalStateException.class, closed::clear);
    }
}
