package dev.mnemo.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EvictionTest {

    private static final long LIMIT = 4L * Fixture.MIB;
    private final Fixture f = new Fixture(Store.builder().memoryLimit(LIMIT).maxItemSize(4096));

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void staysWithinTheLimitAndKeepsWorkingUnderPressure() {
        String value = "v".repeat(200);
        for (int i = 0; i < 200_000; i++) {
            assertEquals(WriteResult.STORED, f.set("key" + i, value));
        }
        StoreStats s = f.store.stats();
        assertTrue(s.evictions() > 0);
        assertTrue(s.bytes() <= LIMIT, "bytes " + s.bytes());
        assertTrue(s.segmentsUsed() * s.segmentSize() + s.hashBytes() <= LIMIT);
        assertEquals(s.currItems() * (Items.HEADER + 200 + 0) + keyBytes(s.currItems()), s.bytes(), 0.02 * s.bytes());
        assertEquals(value, f.get("key199999"), "the newest item is there");
        assertEquals(WriteResult.STORED, f.set("after", "x"));
        assertEquals("x", f.get("after"));
    }

    private static double keyBytes(long items) {
        return items * 9.0;
    }

    @Test
    void expiredMemoryIsReusedBeforeAnythingIsEvicted() {
        String value = "v".repeat(200);
        for (int i = 0; i < 10_000; i++) {
            f.set("old" + i, value, 0, f.in(60));
        }
        assertEquals(0, f.store.stats().evictions(), "the first round fits");
        assertEquals(10_000, countLive("old", 10_000), "the first round is live until its TTL");
        f.clock.advance(60);
        for (int i = 0; i < 10_000; i++) {
            assertEquals(WriteResult.STORED, f.set("new" + i, value, 0, 0));
        }
        StoreStats s = f.store.stats();
        assertEquals(0, s.evictions());
        assertTrue(s.reclaimed() > 0);
        assertEquals(10_000, countLive("new", 10_000));
        assertEquals(0, countLive("old", 10_000));
    }

    private long countLive(String prefix, int n) {
        long live = 0;
        for (int i = 0; i < n; i++) {
            if (f.get(prefix + i) != null) {
                live++;
            }
        }
        return live;
    }

    /**
     * S3-FIFO's ghost table: a key stored again soon after it was evicted unread from the small
     * queue moves to the main queue, so a scan of items never read evicts it no more, while a
     * key stored once at the same time is evicted.
     */
    @Test
    void keyStoredAgainSoonAfterItsEvictionSurvivesAScan() {
        String value = "v".repeat(200);
        f.set("again", value);
        int n = 0;
        while (f.store.stats().evictions() == 0) {
            f.set("first" + n++, value);
        }
        assertEquals(null, f.get("again"), "evicted with the oldest segment, unread");
        f.set("again", value);
        f.set("once", value);
        for (int i = 0; i < 100_000; i++) {
            f.set("scan" + i, value);
        }
        assertTrue(f.store.stats().evictions() > 50_000);
        assertEquals(value, f.get("again"));
        assertEquals(null, f.get("once"));
    }

    @Test
    void frequentlyReadItemsSurviveAScan() {
        String value = "v".repeat(200);
        for (int i = 0; i < 1000; i++) {
            f.set("hot" + i, value);
        }
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 1000; i++) {
                f.get("hot" + i);
            }
        }
        for (int i = 0; i < 100_000; i++) {
            f.set("scan" + i, value);
            if (i % 100 == 0) {
                for (int j = 0; j < 1000; j += 10) {
                    f.get("hot" + j);
                }
            }
        }
        long hot = 0;
        for (int i = 0; i < 1000; i += 10) {
            if (f.get("hot" + i) != null) {
                hot++;
            }
        }
        assertEquals(100, hot, "hot items read during the scan are kept");
        assertTrue(f.store.stats().evictions() > 50_000);
    }

    @Test
    void lowerMemoryLimitEvictsDownToIt() {
        String value = "v".repeat(200);
        for (int i = 0; i < 15_000; i++) {
            f.set("k" + i, value);
        }
        StoreStats before = f.store.stats();
        f.store.setMemoryLimit(LIMIT / 2);
        StoreStats after = f.store.stats();
        assertEquals(LIMIT / 2, after.limitMaxbytes());
        assertTrue(after.segmentsUsed() * after.segmentSize() + after.hashBytes() <= LIMIT / 2 + 4096,
                "used " + after.segmentsUsed());
        assertTrue(after.currItems() < before.currItems());
        for (int i = 0; i < 50_000; i++) {
            f.set("n" + i, value);
        }
        after = f.store.stats();
        assertTrue(after.segmentsUsed() * after.segmentSize() + after.hashBytes() <= LIMIT / 2 + 4096);
    }

    @Test
    void itemLargerThanTheStoreCanHoldIsTooLarge() {
        assertEquals(WriteResult.TOO_LARGE, f.set("k", "x".repeat(4097)));
    }
}
