package dev.mnemo.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * Per-item overhead (item header + index slot, excluding key and value) is the store's main
 * capacity claim: filled with 10-byte keys and 100-byte values, a store must hold an item per
 * 150 bytes of its memory limit or better before its first eviction (memcached -m 64 stores
 * such items in its 192-byte slab class). Refilled to just below that point, every item must
 * be readable with nothing evicted, so the index's two-choice buckets and relocation really
 * held them all.
 */
class CapacityTest {

    private static final long LIMIT = 16L * Fixture.MIB;

    @Test
    void holdsAnItemPer150BytesBeforeTheFirstEviction() {
        int held;
        try (Store store = Store.builder().memoryLimit(LIMIT).sweepExpiredInBackground(false).open()) {
            held = fillUntilFirstEviction(store);
        }
        assertTrue(held >= LIMIT / 150, held + " items, " + (double) LIMIT / held + " bytes per item");
        try (Store store = Store.builder().memoryLimit(LIMIT).sweepExpiredInBackground(false).open()) {
            MemorySegment key = MemorySegment.ofArray(new byte[10]);
            MemorySegment value = MemorySegment.ofArray(new byte[100]);
            ItemWrite write = new ItemWrite();
            for (int i = 0; i < held; i++) {
                writeKey(key, i);
                store.set(write.reset().key(key, 0, 10).value(value, 0, 100));
            }
            assertEquals(0, store.stats().evictions());
            assertEquals(held, store.stats().currItems());
            for (int i = 0; i < held; i++) {
                writeKey(key, i);
                assertTrue(store.get(key, 0, 10, item -> { }), "item " + i);
            }
        }
    }

    /** @return how many items were stored before the set that caused the first eviction */
    private static int fillUntilFirstEviction(Store store) {
        MemorySegment key = MemorySegment.ofArray(new byte[10]);
        MemorySegment value = MemorySegment.ofArray(new byte[100]);
        ItemWrite write = new ItemWrite();
        for (int n = 0; ; n++) {
            writeKey(key, n);
            assertEquals(WriteResult.STORED, store.set(write.reset().key(key, 0, 10).value(value, 0, 100)));
            if (store.stats().evictions() > 0) {
                return n;
            }
        }
    }

    private static void writeKey(MemorySegment key, int n) {
        for (int d = 9, v = n; d >= 0; d--, v /= 10) {
            key.set(ValueLayout.JAVA_BYTE, d, (byte) ('0' + v % 10));
        }
    }
}
