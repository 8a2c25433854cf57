package dev.mnemo.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StorageCommandsTest {

    private final Fixture f = new Fixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void setThenGetReturnsValueFlagsAndCas() {
        assertEquals(Status.STORED, f.set("k", "hello", 0xDEADBEEF, 0));
        Fixture.Captured c = f.item("k");
        assertEquals("k", c.key);
        assertEquals("hello", c.value);
        assertEquals(0xDEADBEEF, c.flags);
        assertNotEquals(0, c.cas);
        assertEquals(0, c.expiresAt);
        assertFalse(c.fetched, "not fetched before the first read");
        assertTrue(f.item("k").fetched);
    }

    @Test
    void setReplacesAndEmptyValueIsAllowed() {
        f.set("k", "one");
        f.set("k", "");
        assertEquals("", f.get("k"));
        assertEquals(1, f.store.stats().currItems());
        assertEquals(2, f.store.stats().totalItems());
    }

    @Test
    void getMissCountsAndReturnsFalse() {
        assertNull(f.get("nope"));
        StoreStats s = f.store.stats();
        assertEquals(1, s.cmdGet());
        assertEquals(1, s.getMisses());
        assertEquals(0, s.getHits());
    }

    @Test
    void addOnlyWhenAbsent() {
        assertEquals(Status.STORED, f.store(StorageCommand.ADD, "k", "a", 0, 0, 0));
        assertEquals(Status.NOT_STORED, f.store(StorageCommand.ADD, "k", "b", 0, 0, 0));
        assertEquals("a", f.get("k"));
    }

    @Test
    void replaceOnlyWhenPresent() {
        assertEquals(Status.NOT_STORED, f.store(StorageCommand.REPLACE, "k", "a", 0, 0, 0));
        assertNull(f.get("k"));
        f.set("k", "a");
        assertEquals(Status.STORED, f.store(StorageCommand.REPLACE, "k", "b", 0, 0, 0));
        assertEquals("b", f.get("k"));
    }

    @Test
    void appendAndPrependKeepFlagsAndExptime() {
        f.set("k", "mid", 7, 100);
        assertEquals(Status.STORED, f.store(StorageCommand.APPEND, "k", "-end", 9, 0, 0));
        assertEquals(Status.STORED, f.store(StorageCommand.PREPEND, "k", "start-", 9, 0, 0));
        Fixture.Captured c = f.item("k");
        assertEquals("start-mid-end", c.value);
        assertEquals(7, c.flags);
        assertEquals(Fixture.START + 100, c.expiresAt);
    }

    @Test
    void appendAndPrependToMissingItemAreNotStored() {
        assertEquals(Status.NOT_STORED, f.store(StorageCommand.APPEND, "k", "x", 0, 0, 0));
        assertEquals(Status.NOT_STORED, f.store(StorageCommand.PREPEND, "k", "x", 0, 0, 0));
        assertNull(f.get("k"));
    }

    @Test
    void appendBeyondMaxItemSizeIsTooLarge() {
        String half = "x".repeat(f.store.config().maxItemSize() / 2 + 1);
        f.set("k", half);
        assertEquals(Status.TOO_LARGE, f.store(StorageCommand.APPEND, "k", half, 0, 0, 0));
        assertEquals(half, f.get("k"));
    }

    @Test
    void casMatchesOnlyTheCurrentUnique() {
        f.set("k", "a");
        long cas = f.item("k").cas;
        assertEquals(Status.EXISTS, f.store(StorageCommand.CAS, "k", "b", 0, 0, cas + 1));
        assertEquals(Status.STORED, f.store(StorageCommand.CAS, "k", "b", 0, 0, cas));
        assertEquals(Status.EXISTS, f.store(StorageCommand.CAS, "k", "c", 0, 0, cas), "the unique changed");
        assertEquals("b", f.get("k"));
        StoreStats s = f.store.stats();
        assertEquals(1, s.casHits());
        assertEquals(2, s.casBadval());
    }

    @Test
    void casOnDeletedItemIsNotFound() {
        f.set("k", "a");
        long cas = f.item("k").cas;
        f.delete("k");
        assertEquals(Status.NOT_FOUND, f.store(StorageCommand.CAS, "k", "b", 0, 0, cas));
        assertEquals(1, f.store.stats().casMisses());
        assertNull(f.get("k"));
    }

    @Test
    void casUniquesAreUniqueAndNeverZero() {
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 5000; i++) {
            f.set("k" + (i % 50), "v" + i);
            long cas = f.item("k" + (i % 50)).cas;
            assertNotEquals(0, cas);
            assertTrue(seen.add(cas), "CAS unique repeated: " + cas);
        }
    }

    @Test
    void casDisabledGivesZeroAndNeverMatches() {
        try (Fixture g = new Fixture(StoreConfig.defaults().withMemoryLimit(8L * StoreConfig.MIB).withCasEnabled(false))) {
            g.set("k", "a");
            assertEquals(0, g.item("k").cas);
            assertEquals(Status.EXISTS, g.store(StorageCommand.CAS, "k", "b", 0, 0, 0));
        }
    }

    @Test
    void deleteRemoves() {
        f.set("k", "a");
        assertEquals(Status.DELETED, f.delete("k"));
        assertEquals(Status.NOT_FOUND, f.delete("k"));
        assertNull(f.get("k"));
        StoreStats s = f.store.stats();
        assertEquals(1, s.deleteHits());
        assertEquals(1, s.deleteMisses());
        assertEquals(0, s.currItems());
        assertEquals(0, s.bytes());
    }

    @Test
    void keyOfExactly250BytesWorksAnd251IsRefused() {
        String k250 = "k".repeat(250);
        assertEquals(Status.STORED, f.set(k250, "v"));
        assertEquals("v", f.get(k250));
        String k251 = "k".repeat(251);
        assertThrows(IllegalArgumentException.class, () -> f.set(k251, "v"));
        assertThrows(IllegalArgumentException.class, () -> f.get(k251));
        assertEquals(1, f.store.stats().currItems());
    }

    @Test
    void badArgumentsThrowAndChangeNothing() {
        MemorySegment k = Fixture.bytes("key");
        MemorySegment v = Fixture.bytes("val");
        assertThrows(IllegalArgumentException.class, () -> f.store.get(null, 0, 3, item -> { }));
        assertThrows(IllegalArgumentException.class, () -> f.store.get(k, 0, 0, item -> { }));
        assertThrows(IllegalArgumentException.class, () -> f.store.get(k, -1, 3, item -> { }));
        assertThrows(IllegalArgumentException.class, () -> f.store.get(k, 1, 3, item -> { }));
        assertThrows(IllegalArgumentException.class,
                () -> f.store.store(StorageCommand.SET, k, 0, 3, v, 0, -1, 0, 0, 0));
        assertThrows(IllegalArgumentException.class,
                () -> f.store.store(StorageCommand.SET, k, 0, 3, v, 2, 3, 0, 0, 0));
        assertThrows(IllegalArgumentException.class,
                () -> f.store.store(null, k, 0, 3, v, 0, 3, 0, 0, 0));
        assertEquals(0, f.store.stats().currItems());
        assertEquals(0, f.store.stats().cmdSet());
    }

    @Test
    void valueOfExactlyMaxItemSizeFitsAndOneMoreIsTooLarge() {
        int max = f.store.config().maxItemSize();
        MemorySegment k = Fixture.bytes("big");
        MemorySegment v = MemorySegment.ofArray(new byte[max + 1]);
        v.fill((byte) 'z');
        assertEquals(Status.STORED, f.store.store(StorageCommand.SET, k, 0, 3, v, 0, max, 0, 0, 0));
        Fixture.Captured c = f.item("big");
        assertEquals(max, c.value.length());
        assertEquals(Status.TOO_LARGE, f.store.store(StorageCommand.SET, k, 0, 3, v, 0, max + 1, 0, 0, 0));
        assertEquals(1, f.store.stats().storeTooLarge());
        assertEquals(max, f.item("big").value.length(), "the old item stays");
    }

    @Test
    void storeOrDropDropsTheOldItemWhenTooLargeCountingADelete() {
        int max = f.store.config().maxItemSize();
        MemorySegment k = Fixture.bytes("big");
        MemorySegment v = MemorySegment.ofArray(new byte[max + 1]);
        f.set("big", "old");
        assertEquals(Status.TOO_LARGE, f.store.storeOrDrop(StorageCommand.SET, k, 0, 3, v, 0, max + 1, 0, 0, 0, null));
        assertNull(f.item("big"), "a failed set drops the old item");
        StoreStats s = f.store.stats();
        assertEquals(1, s.storeTooLarge());
        assertEquals(1, s.deleteHits());
        assertEquals(0, s.deleteMisses());
        assertEquals(1, s.cmdSet(), "the first set only");
        assertEquals(Status.TOO_LARGE, f.store.storeOrDrop(StorageCommand.SET, k, 0, 3, v, 0, max + 1, 0, 0, 0, null));
        assertEquals(1, f.store.stats().deleteMisses(), "no item: a delete miss, as the protocols' delete counted");
    }

    @Test
    void storeOrDropDropsOnAFailedAppendOnlyWhenAsked() {
        int max = f.store.config().maxItemSize();
        MemorySegment k = Fixture.bytes("k");
        MemorySegment half = MemorySegment.ofArray(new byte[max / 2 + 1]);
        assertEquals(Status.STORED, f.store.store(StorageCommand.SET, k, 0, 1, half, 0, max / 2 + 1, 0, 0, 0));
        assertEquals(Status.TOO_LARGE, f.store.store(StorageCommand.APPEND, k, 0, 1, half, 0, max / 2 + 1, 0, 0, 0));
        assertEquals(max / 2 + 1, f.item("k").value.length(), "plain store keeps the item");
        assertEquals(Status.TOO_LARGE, f.store.metaStoreOrDrop(StorageCommand.APPEND, k, 0, 1, half, 0, max / 2 + 1,
                0, 0, 0, false, 0, false, 0, false, null));
        assertNull(f.item("k"), "meta set drops it in every mode, as memcached's mset");
        assertEquals(1, f.store.stats().deleteHits());
    }

    @Test
    void markStaleKeepsItemReadableAndChangesCas() {
        f.set("k", "a");
        long cas = f.item("k").cas;
        MemorySegment k = Fixture.bytes("k");
        assertEquals(Status.STORED, f.store.markStale(k, 0, 1));
        Fixture.Captured c = f.item("k");
        assertTrue(c.stale);
        assertNotEquals(cas, c.cas);
        assertEquals("a", c.value);
        assertEquals(Status.NOT_FOUND, f.store.markStale(Fixture.bytes("x"), 0, 1));
        f.set("k", "b");
        assertFalse(f.item("k").stale, "replacing clears stale");
    }

    @Test
    void statsCountAsMemcached() {
        f.set("a", "1");
        f.get("a");
        f.get("b");
        f.gat("a", 100);
        f.gat("b", 100);
        f.touch("a", 10);
        f.touch("b", 10);
        StoreStats s = f.store.stats();
        assertEquals(2, s.cmdGet(), "gat does not count cmd_get");
        assertEquals(1, s.getHits());
        assertEquals(1, s.getMisses());
        assertEquals(4, s.cmdTouch());
        assertEquals(2, s.touchHits());
        assertEquals(2, s.touchMisses());
        assertEquals(1, s.cmdSet());
        assertEquals(1, s.currItems());
        assertEquals(Items.HEADER + 1 + 1, s.bytes());
        f.store.resetStats();
        s = f.store.stats();
        assertEquals(0, s.cmdGet());
        assertEquals(0, s.totalItems());
        assertEquals(1, s.currItems(), "stats reset keeps gauges");
        assertEquals(Items.HEADER + 1 + 1, s.bytes());
    }
}
