package dev.mnemo.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link EvictionListener}: told once of each evicted item, with its key, size, fetched bit, TTL and idle time; not of reclaimed ones. */
class EvictionListenerTest {

    private final Fixture f = new Fixture(Store.builder().memoryLimit(4L * Fixture.MIB).maxItemSize(4096));
    private final List<Evicted> evicted = new ArrayList<>();
    private volatile boolean writableMemorySeen;

    private record Evicted(String key, int valueLength, boolean fetched, long ttl, long idle) {
    }

    private void listen() {
        f.store.setEvictionListener((MemorySegment memory, long keyOffset, int keyLength, int valueLength,
                                     boolean fetched, long ttl, long idle) -> {
            writableMemorySeen |= !memory.isReadOnly();
            byte[] key = new byte[keyLength];
            MemorySegment.copy(memory, ValueLayout.JAVA_BYTE, keyOffset, key, 0, keyLength);
            synchronized (evicted) {
                evicted.add(new Evicted(new String(key, StandardCharsets.US_ASCII), valueLength, fetched, ttl, idle));
            }
        });
    }

    @AfterEach
    void close() {
        StoreChecks.checkConsistency(f.store);
        f.close();
    }

    @Test
    void toldOnceOfEachEvictedItemWithItsFields() {
        listen();
        String value = "v".repeat(200);
        Set<String> read = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            f.set("old" + i, value, 0, i % 2 == 0 ? f.in(500) : 0);
            if (i % 10 == 0) {
                assertEquals(value, f.get("old" + i));
                read.add("old" + i);
            }
        }
        f.clock.advance(7);
        // new items read once move to the main queue, which must then evict: the old items read once too
        for (int i = 0; i < 200_000 && fetchedEvictions("old") == 0; i += 100) {
            for (int j = i; j < i + 100; j++) {
                f.set("new" + j, value.substring(j % 100));
                f.get("new" + j);
            }
        }
        assertEquals(f.store.stats().evictions(), evicted.size(), "one call per eviction");
        assertFalse(writableMemorySeen, "the listener gets the key in read-only memory");
        Set<String> keys = new HashSet<>();
        for (Evicted e : evicted) {
            assertTrue(keys.add(e.key()), "told twice of " + e.key());
            assertNull(f.get(e.key()), e.key() + " is a miss once evicted");
            if (e.key().startsWith("old")) {
                int i = Integer.parseInt(e.key().substring(3));
                assertEquals(200, e.valueLength(), e.key());
                assertEquals(read.contains(e.key()), e.fetched(), e.key());
                assertEquals(i % 2 == 0 ? 500 - 7 : -1, e.ttl(), e.key());
                assertEquals(7, e.idle(), e.key());
            } else {
                int i = Integer.parseInt(e.key().substring(3));
                assertEquals(200 - i % 100, e.valueLength(), e.key());
                assertEquals(true, e.fetched(), e.key());
                assertEquals(-1, e.ttl(), e.key());
                assertEquals(0, e.idle(), e.key());
            }
        }
        assertTrue(fetchedEvictions("old") > 0, "an old item read once was evicted, fetched");
        assertTrue(evicted.stream().anyMatch(e -> e.key().startsWith("old") && !e.fetched()), "an unread one too");
    }

    private long fetchedEvictions(String prefix) {
        synchronized (evicted) {
            return evicted.stream().filter(e -> e.fetched() && e.key().startsWith(prefix)).count();
        }
    }

    @Test
    void notToldOfReclaimedItems() {
        listen();
        String value = "v".repeat(200);
        for (int i = 0; i < 10_000; i++) {
            f.set("short" + i, value, 0, f.in(60));
        }
        f.clock.advance(60);
        for (int i = 0; i < 30_000; i++) {
            f.set("long" + i, value);
        }
        StoreStats s = f.store.stats();
        assertTrue(s.reclaimed() > 0, "expired items were reclaimed");
        assertTrue(s.evictions() > 0, "live items were evicted");
        assertEquals(s.evictions(), evicted.size());
        assertTrue(evicted.stream().allMatch(e -> e.key().startsWith("long")), "only live items are reported");
    }

    @Test
    void aListenerThatThrowsDoesNotStopEvictionAndNullRemovesIt() {
        f.store.setEvictionListener((memory, keyOffset, keyLength, valueLength, fetched, ttl, idle) -> {
            throw new IllegalStateException("listener failure");
        });
        String value = "v".repeat(200);
        int i = 0;
        while (f.store.stats().evictions() < 1_000) {
            assertEquals(WriteResult.STORED, f.set("k" + i++, value));
        }
        assertEquals(value, f.get("k" + (i - 1)));
        listen();
        f.store.setEvictionListener(null);
        long before = f.store.stats().evictions();
        while (f.store.stats().evictions() < before + 1_000) {
            f.set("k" + i++, value);
        }
        assertTrue(evicted.isEmpty(), "a removed listener is told nothing");
    }
}
