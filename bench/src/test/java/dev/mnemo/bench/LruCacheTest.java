package dev.mnemo.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LruCacheTest {

    @Test
    void missThenHit() {
        LruCache lru = new LruCache(100);
        assertFalse(lru.request(1, 10));
        assertTrue(lru.request(1, 10));
        assertEquals(10, lru.usedBytes());
    }

    @Test
    void evictsTheLeastRecentlyRequestedFirst() {
        LruCache lru = new LruCache(30);
        lru.request(1, 10);
        lru.request(2, 10);
        lru.request(3, 10);
        assertTrue(lru.request(1, 10));      // order now 2, 3, 1
        assertFalse(lru.request(4, 10));     // evicts 2
        assertTrue(lru.request(3, 10));
        assertTrue(lru.request(1, 10));
        assertTrue(lru.request(4, 10));
        assertFalse(lru.request(2, 10));     // was evicted; now evicts 3
        assertFalse(lru.request(3, 10));
        assertEquals(3, lru.size());
        assertEquals(30, lru.usedBytes());
    }

    @Test
    void evictsAsManyAsNeededForALargeItem() {
        LruCache lru = new LruCache(30);
        lru.request(1, 10);
        lru.request(2, 10);
        lru.request(3, 10);
        assertFalse(lru.request(4, 25));
        assertEquals(1, lru.size());
        assertEquals(25, lru.usedBytes());
        assertTrue(lru.request(4, 25));
    }

    @Test
    void neverAdmitsAnItemLargerThanTheBudget() {
        LruCache lru = new LruCache(30);
        lru.request(1, 10);
        assertFalse(lru.request(2, 31));
        assertFalse(lru.request(2, 31));
        assertTrue(lru.request(1, 10));
        assertEquals(10, lru.usedBytes());
    }

    @Test
    void refusesANonPositiveBudget() {
        assertThrows(IllegalArgumentException.class, () -> new LruCache(0));
    }
}
