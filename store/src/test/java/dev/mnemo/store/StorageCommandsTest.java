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
        assertEquals(WriteResult.STORED, f.set("k", "hello", 0xDEADBEEF, 0));
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
        assertEquals(WriteResult.STORED, f.add("k", "a"));
        assertEquals(WriteResult.NOT_STORED, f.add("k", "b"));
        assertEquals("a", f.get("k"));
    }

    @Test
    void replaceOnlyWhenPresent() {
        assertEquals(WriteResult.NOT_STORED, f.replace("k", "a"));
        assertNull(f.get("k"));
        f.set("k", "a");
        assertEquals(WriteResult.STORED, f.replace("k", "b"));
        assertEquals("b", f.get("k"));
    }

    @Test
    void appendAndPrependKeepFlagsAndExptime() {
        f.set("k", "mid", 7, f.in(100));
        assertEquals(WriteResult.STORED, f.store.append(Fixture.write("k", "-end").clientFlags(9).expiresAt(f.in(5))));
        assertEquals(WriteResult.STORED, f.store.prepend(Fixture.write("k", "start-").clientFlags(9).expiresAt(f.in(5))));
        Fixture.Captured c = f.item("k");
        assertEquals("start-mid-end", c.value);
        assertEquals(7, c.flags);
        assertEquals(Fixture.START + 100, c.expiresAt);
    }

    @Test
    void appendAndPrependToMissingItemAreNotStored() {
        assertEquals(WriteResult.NOT_STORED, f.append("k", "x"));
        assertEquals(WriteResult.NOT_STORED, f.prepend("k", "x"));
        assertNull(f.get("k"));
    }

    @Test
    void appendBeyondMaxItemSizeIsTooLarge() {
        String half = "x".repeat(f.store.maxItemSize() / 2 + 1);
        f.set("k", half);
        assertEquals(WriteResult.TOO_LARGE, f.append("k", half));
        assertEquals(WriteResult.TOO_LARGE, f.prepend("k", half));
        assertEquals(half, f.get("k"), "a failed append or prepend keeps the item (memcached drops only for set)");
    }

    @Test
    void casMatchesOnlyTheCurrentUnique() {
        f.set("k", "a");
        long cas = f.item("k").cas;
        assertEquals(WriteResult.EXISTS, f.cas("k", "b", cas + 1));
        assertEquals(WriteResult.STORED, f.cas("k", "b", cas));
        assertEquals(WriteResult.EXISTS, f.cas("k", "c", cas), "the unique changed");
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
        assertEquals(WriteResult.NOT_FOUND, f.cas("k", "b", cas));
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
        try (Fixture g = new Fixture(Store.builder().memoryLimit(8 * Fixture.MIB).casEnabled(false))) {
            g.set("k", "a");
            assertEquals(0, g.item("k").cas);
            assertEquals(WriteResult.EXISTS, g.cas("k", "b", 0));
        }
    }

    @Test
    void deleteRemoves() {
        f.set("k", "a");
        assertEquals(DeleteResult.DELETED, f.delete("k"));
        assertEquals(DeleteResult.NOT_FOUND, f.delete("k"));
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
        assertEquals(WriteResult.STORED, f.set(k250, "v"));
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
        assertThrows(IllegalArgumentException.class, () -> f.store.set(new ItemWrite().key(k, 0, 3).value(v, 0, -1)));
        assertThrows(IllegalArgumentException.class, () -> f.store.set(new ItemWrite().key(k, 0, 3).value(v, 2, 3)));
        assertThrows(IllegalArgumentException.class, () -> f.store.set(new ItemWrite().value(v, 0, 3)), "no key");
        assertThrows(IllegalArgumentException.class, () -> f.store.add(new ItemWrite().key(k, 0, 0).value(v, 0, 3)));
        assertEquals(0, f.store.stats().currItems());
        assertEquals(0, f.store.stats().cmdSet());
    }

    @Test
    void valueOfExactlyMaxItemSizeFitsAndOneMoreIsTooLarge() {
        int max = f.store.maxItemSize();
        MemorySegment k = Fixture.bytes("big");
        MemorySegment v = MemorySegment.ofArray(new byte[max + 1]);
        v.fill((byte) 'z');
        assertEquals(WriteResult.STORED, f.store.set(new ItemWrite().key(k, 0, 3).value(v, 0, max)));
        Fixture.Captured c = f.item("big");
        assertEquals(max, c.value.length());
        assertEquals(WriteResult.TOO_LARGE, f.store.replace(new ItemWrite().key(k, 0, 3).value(v, 0, max + 1)));
        assertEquals(WriteResult.TOO_LARGE, f.store.add(new ItemWrite().key(k, 0, 3).value(v, 0, max + 1)));
        assertEquals(2, f.store.stats().storeTooLarge());
        assertEquals(max, f.item("big").value.length(), "a failed add or replace keeps the old item");
    }

    @Test
    void setDropsTheOldItemWhenTooLargeCountingADelete() {
        int max = f.store.maxItemSize();
        MemorySegment k = Fixture.bytes("big");
        MemorySegment v = MemorySegment.ofArray(new byte[max + 1]);
        f.set("big", "old");
        assertEquals(WriteResult.TOO_LARGE, f.store.set(new ItemWrite().key(k, 0, 3).value(v, 0, max + 1)));
        assertNull(f.item("big"), "a failed set drops the old item");
        StoreStats s = f.store.stats();
        assertEquals(1, s.storeTooLarge());
        assertEquals(1, s.deleteHits());
        assertEquals(0, s.deleteMisses());
        assertEquals(1, s.cmdSet(), "the first set only");
        assertEquals(WriteResult.TOO_LARGE, f.store.set(new ItemWrite().key(k, 0, 3).value(v, 0, max + 1)));
        assertEquals(1, f.store.stats().deleteMisses(), "no item: a delete miss, as the protocols' delete counted");
    }

    @Test
    void aFailedAppendKeepsTheItemButAFailedMetaAppendDropsIt() {
        int max = f.store.maxItemSize();
        MemorySegment k = Fixture.bytes("k");
        MemorySegment half = MemorySegment.ofArray(new byte[max / 2 + 1]);
        assertEquals(WriteResult.STORED, f.store.set(new ItemWrite().key(k, 0, 1).value(half, 0, max / 2 + 1)));
        assertEquals(WriteResult.TOO_LARGE, f.store.append(new ItemWrite().key(k, 0, 1).value(half, 0, max / 2 + 1)));
        assertEquals(max / 2 + 1, f.item("k").value.length(), "plain append keeps the item");
        assertEquals(WriteResult.TOO_LARGE, f.store.meta().append(new ItemWrite().key(k, 0, 1).value(half, 0, max / 2 + 1)));
        assertNull(f.item("k"), "meta set drops it in every mode, as memcached's mset");
        assertEquals(1, f.store.stats().deleteHits());
    }

    @Test
    void markStaleKeepsItemReadableAndChangesCas() {
        f.set("k", "a");
        long cas = f.item("k").cas;
        assertEquals(DeleteResult.DELETED, f.markStale("k"));
        Fixture.Captured c = f.item("k");
        assertTrue(c.stale);
        assertNotEquals(cas, c.cas);
        assertEquals("a", c.value);
        assertEquals(DeleteResult.NOT_FOUND, f.markStale("x"));
        f.set("k", "b");
        assertFalse(f.item("k").stale, "replacing clears stale");
    }

    @Test
    void statsCountAsMemcached() {
        f.set("a", "1");
        f.get("a");
        f.get("b");
        f.gat("a", f.in(100));
        f.gat("b", f.in(100));
        f.touch("a", f.in(10));
        f.touch("b", f.in(10));
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
