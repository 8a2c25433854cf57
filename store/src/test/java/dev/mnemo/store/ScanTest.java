package dev.mnemo.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Store#scan}: every live item once, in bounded steps, counting nothing. */
class ScanTest {

    private final Fixture f = new Fixture();

    @AfterEach
    void close() {
        f.close();
    }

    /** @return the keys a whole walk saw, in the order seen, walking {@code buckets} per call */
    private List<String> walk(int buckets) {
        List<String> keys = new ArrayList<>();
        ItemReader reader = item -> {
            byte[] key = new byte[item.keyLength()];
            for (int i = 0; i < key.length; i++) {
                key[i] = item.memory().get(ValueLayout.JAVA_BYTE, item.keyOffset() + i);
            }
            keys.add(new String(key, java.nio.charset.StandardCharsets.US_ASCII));
        };
        long cursor = 0;
        int calls = 0;
        do {
            cursor = f.store.scan(cursor, buckets, reader);
            calls++;
            assertTrue(cursor == -1 || cursor > 0);
        } while (cursor >= 0);
        assertTrue(calls > 1 || buckets > 1_000, "a small step takes several calls");
        return keys;
    }

    @Test
    void seesEveryLiveItemOnceAndNoDeadOne() {
        Set<String> live = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            f.set("k" + i, "v" + i, 0, 0);
            live.add("k" + i);
        }
        f.set("expiring", "v", 0, Fixture.START + 10);
        f.delete("k7");
        live.remove("k7");
        f.clock.advance(10);
        List<String> seen = walk(16);
        assertEquals(live.size(), seen.size(), "each item once");
        assertEquals(live, new HashSet<>(seen));
        assertEquals(0, f.store.stats().getHits() + f.store.stats().getMisses(), "a walk counts nothing");
    }

    /**
     * A walk passes empty buckets without their locks: a bucket whose one item sits in any of its
     * 7 slots must not be taken for empty. 100,000 items load the 16 MiB store's index to about
     * 70 % (slots fill from the first, so many buckets reach their last); keeping every tenth
     * leaves thousands of buckets with a lone item, in each slot position.
     */
    @Test
    void seesALoneItemInAnySlotOfItsBucket() {
        Set<String> live = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            f.set("key" + i, "v", 0, 0);
            if (i % 10 == 0) {
                live.add("key" + i);
            }
        }
        assertEquals(100_000, f.store.stats().currItems(), "no eviction");
        for (int i = 0; i < 100_000; i++) {
            if (i % 10 != 0) {
                f.delete("key" + i);
            }
        }
        List<String> seen = walk(64);
        assertEquals(live.size(), seen.size(), "each item once");
        assertEquals(live, new HashSet<>(seen));
    }

    @Test
    void leavesItemsUnfetched() {
        f.set("a", "1", 0, 0);
        List<Boolean> fetched = new ArrayList<>();
        f.store.scan(0, Integer.MAX_VALUE, item -> fetched.add(item.isFetched()));
        f.store.scan(0, Integer.MAX_VALUE, item -> fetched.add(item.isFetched()));
        assertEquals(List.of(false, false), fetched);
        assertEquals(Items.size(1, 1), sizeOf());
    }

    private long sizeOf() {
        long[] size = {0};
        f.store.scan(0, Integer.MAX_VALUE, item -> size[0] = item.itemSize());
        return size[0];
    }

    @Test
    void flushedItemsAreNotSeen() {
        f.set("a", "1", 0, 0);
        f.store.flushAll(0);
        assertFalse(walk(Integer.MAX_VALUE).contains("a"));
    }

    @Test
    void refusesACursorOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> f.store.scan(-1, 1, item -> { }));
        assertThrows(IllegalArgumentException.class, () -> f.store.scan(0, 0, item -> { }));
        assertThrows(IllegalArgumentException.class, () -> f.store.scan(Long.MAX_VALUE, 1, item -> { }));
    }
}
