package dev.mnemo.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The store operations behind the meta protocol: metaGet, metaStore, metaDelete, metaArithmetic, debug. */
class MetaOperationsTest {

    private final Fixture f = new Fixture();

    @AfterEach
    void close() {
        f.close();
    }

    /** What one metaGet reported: the item as the reader saw it and the token outcome. */
    private record Seen(String value, long ttl, boolean won, boolean tokenSent, boolean stale, boolean hitBefore,
                        long sinceAccess, boolean created, long cas) {
    }

    /** A metaGet whose reader applies {@code touch} (if not null) then {@code recache} (if not null), as flags T and R. */
    private Seen metaGet(String key, MetaItem meta, Long touch, Long recache, Long vivify) {
        MemorySegment k = Fixture.bytes(key);
        Seen[] seen = new Seen[1];
        boolean hit = f.store.metaGet(k, 0, (int) k.byteSize(), meta, item -> {
            if (vivify != null) {
                meta.vivified(vivify);
            }
            if (touch != null) {
                meta.touch(touch);
            }
            if (recache != null) {
                meta.recache(recache);
            }
            meta.settle();
            byte[] v = item.memory().asSlice(item.valueOffset(), item.valueLength())
                    .toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            seen[0] = new Seen(new String(v), meta.ttl(), meta.won(), meta.tokenSent(), meta.stale(), meta.hitBefore(),
                    meta.secondsSinceAccess(), meta.created(), item.casUnique());
        });
        assertEquals(hit, seen[0] != null);
        return seen[0];
    }

    private Seen metaGet(String key) {
        return metaGet(key, new MetaItem(), null, null, null);
    }

    private Status markStale(String key, boolean compare, long cas, Long touch) {
        MemorySegment k = Fixture.bytes(key);
        return f.store.metaDelete(k, 0, (int) k.byteSize(), compare, cas, true, false, touch != null,
                touch == null ? 0 : touch, 0);
    }

    private Status metaStore(StorageCommand command, String key, String value, long cas, boolean invalidate,
                             long explicitCas, boolean vivify) {
        MemorySegment k = Fixture.bytes(key);
        MemorySegment v = Fixture.bytes(value);
        return f.store.metaStore(command, k, 0, (int) k.byteSize(), v, 0, (int) v.byteSize(), 0, 0, cas, invalidate,
                explicitCas, vivify, 100, false, null);
    }

    @Test
    void metaGetReportsHitBeforeAndLastAccessAsTheyWereAndBumpsUnlessAskedNotTo() {
        f.set("k", "v");
        f.clock.advance(90);
        Seen first = metaGet("k", new MetaItem().noBump(), null, null, null);
        assertFalse(first.hitBefore());
        assertEquals(90, first.sinceAccess());
        Seen second = metaGet("k");
        assertFalse(second.hitBefore(), "u left the item unfetched");
        assertEquals(90, second.sinceAccess(), "u left the last access");
        Seen third = metaGet("k");
        assertTrue(third.hitBefore());
        assertEquals(0, third.sinceAccess());
        StoreStats s = f.store.stats();
        assertEquals(3, s.getHits());
        assertNull(metaGet("missing"));
        assertEquals(1, f.store.stats().getMisses());
    }

    @Test
    void touchAppliesInFlagOrderAndCountsATouch() {
        f.set("k", "v", 0, 1000);
        Seen s = metaGet("k", new MetaItem(), 50L, null, null);
        assertEquals(50, s.ttl());
        StoreStats stats = f.store.stats();
        assertEquals(1, stats.touchHits());
        assertEquals(0, stats.getHits(), "a touching mg counts a touch, not a get, as memcached");
        assertEquals(Fixture.START + 50, f.item("k").expiresAt);
    }

    @Test
    void recacheWinsOnceWhenTheTtlIsBelowTheThresholdAndNeverForAnItemThatDoesNotExpire() {
        f.set("short", "v", 0, 10);
        f.set("forever", "v", 0, 0);
        Seen winner = metaGet("short", new MetaItem(), null, 30L, null);
        assertTrue(winner.won());
        Seen other = metaGet("short", new MetaItem(), null, 30L, null);
        assertFalse(other.won());
        assertTrue(other.tokenSent());
        assertFalse(metaGet("forever", new MetaItem(), null, 30L, null).won());
        f.set("short", "fresh", 0, 10);
        assertTrue(metaGet("short", new MetaItem(), null, 30L, null).won(), "a new item starts a new cycle");
    }

    @Test
    void vivifyCreatesAnEmptyItemThatWinsAndCountsAHit() {
        Seen created = metaGet("k", new MetaItem().vivify(), null, null, 30L);
        assertTrue(created.created());
        assertTrue(created.won());
        assertEquals("", created.value());
        assertEquals(30, created.ttl());
        Seen next = metaGet("k", new MetaItem().vivify(), null, null, 30L);
        assertFalse(next.created());
        assertFalse(next.won());
        assertTrue(next.tokenSent());
        StoreStats s = f.store.stats();
        assertEquals(2, s.getHits());
        assertEquals(0, s.getMisses());
        assertEquals(0, s.cmdSet());
    }

    @Test
    void vivifyWithAnExplicitCasGivesTheItemThatCas() {
        Seen created = metaGet("k", new MetaItem().vivify().explicitCas(777), null, null, 0L);
        assertEquals(777, created.cas());
        assertEquals(777, f.item("k").cas);
    }

    @Test
    void staleItemHandsOutOneWinUntilReplaced() {
        f.set("k", "old", 0, 1000);
        long before = f.item("k").cas;
        assertEquals(Status.STORED, markStale("k", false, 0, 30L));
        Fixture.Captured marked = f.item("k");
        assertTrue(marked.stale);
        assertNotEquals(before, marked.cas, "invalidation bumps the CAS unique");
        assertEquals(Fixture.START + 30, marked.expiresAt);
        Seen first = metaGet("k");
        assertTrue(first.stale());
        assertTrue(first.won());
        assertEquals("old", first.value());
        Seen second = metaGet("k");
        assertTrue(second.stale());
        assertFalse(second.won());
        assertTrue(second.tokenSent());
        f.set("k", "new");
        Seen fresh = metaGet("k");
        assertFalse(fresh.stale());
        assertFalse(fresh.won());
        assertFalse(fresh.tokenSent());
    }

    @Test
    void markStaleChecksTheCasAndMissesAbsentItems() {
        f.set("k", "v");
        long cas = f.item("k").cas;
        assertEquals(Status.EXISTS, markStale("k", true, cas + 1, null));
        assertEquals(Status.EXISTS, markStale("k", true, 0, null), "C0 never matches");
        assertEquals(Status.STORED, markStale("k", true, cas, null));
        assertEquals(Status.NOT_FOUND, markStale("missing", false, 0, null));
    }

    @Test
    void invalidatingStoreWithAnOlderCasStoresStaleKeepingTtlAndToken() {
        f.set("k", "old", 0, 500);
        long old = f.item("k").cas;
        markStale("k", false, 0, null);
        assertTrue(metaGet("k").won());
        long current = f.item("k").cas;
        assertEquals(Status.EXISTS, metaStore(StorageCommand.CAS, "k", "x", old, false, 0, false));
        assertEquals(Status.EXISTS, metaStore(StorageCommand.CAS, "k", "x", current + 5, true, 0, false),
                "a newer CAS than the item's is refused even with I");
        assertEquals(Status.STORED, metaStore(StorageCommand.CAS, "k", "newer", old, true, 0, false));
        Fixture.Captured item = f.item("k");
        assertEquals("newer", item.value);
        assertTrue(item.stale);
        assertEquals(Fixture.START + 500, item.expiresAt);
        Seen seen = metaGet("k");
        assertTrue(seen.tokenSent(), "the token handed out before stays handed out");
        assertFalse(seen.won());
        assertEquals(Status.STORED, metaStore(StorageCommand.CAS, "k", "fresh", seen.cas(), true, 0, false));
        assertFalse(f.item("k").stale, "the item's own CAS replaces it outright");
    }

    @Test
    void metaStoreWithExplicitCasAndAutovivifyingAppend() {
        assertEquals(Status.STORED, metaStore(StorageCommand.SET, "k", "v", 0, false, 12345, false));
        assertEquals(12345, f.item("k").cas);
        assertEquals(Status.NOT_STORED, metaStore(StorageCommand.APPEND, "a", "x", 0, false, 0, false));
        assertEquals(Status.STORED, metaStore(StorageCommand.APPEND, "a", "x", 0, false, 0, true));
        assertEquals(Status.STORED, metaStore(StorageCommand.PREPEND, "a", "y", 0, false, 0, true));
        Fixture.Captured a = f.item("a");
        assertEquals("yx", a.value);
        assertEquals(Fixture.START + 100, a.expiresAt, "a vivified item takes N's exptime");
    }

    @Test
    void dropValueKeepsTheItemWithFlagsAndExptime() {
        f.set("k", "value", 42, 300);
        MemorySegment k = Fixture.bytes("k");
        assertEquals(Status.STORED, f.store.metaDelete(k, 0, 1, false, 0, false, true, false, 0, 99));
        Fixture.Captured item = f.item("k");
        assertEquals("", item.value);
        assertEquals(42, item.flags);
        assertEquals(Fixture.START + 300, item.expiresAt);
        assertEquals(99, item.cas);
        assertFalse(item.stale);
        assertEquals(Status.STORED, f.store.metaDelete(k, 0, 1, false, 0, true, true, false, 0, 0));
        assertTrue(f.item("k").stale);
        assertEquals(Status.EXISTS, f.store.metaDelete(k, 0, 1, true, 1, false, false, false, 0, 0));
        assertEquals(Status.DELETED, f.store.metaDelete(k, 0, 1, false, 0, false, false, false, 0, 0));
        assertNull(f.item("k"));
        assertEquals(Status.NOT_FOUND, f.store.metaDelete(k, 0, 1, true, 0, false, false, false, 0, 0));
    }

    @Test
    void metaArithmeticCreatesComparesAndTouchesInOrder() {
        MemorySegment k = Fixture.bytes("n");
        MemorySegment initial = Fixture.bytes("5");
        long[] ttl = new long[1];
        MetaItem meta = new MetaItem();
        assertEquals(Status.STORED, f.store.metaArithmetic(k, 0, 1, true, 1, 0, initial, 0, 1, meta.reset(), item -> {
            ttl[0] = meta.ttl();
            meta.vivified(60);
        }));
        assertTrue(meta.created());
        assertEquals(-1, ttl[0], "t before N sees the created item's exptime before N applies");
        assertEquals("5", f.get("n"));
        assertEquals(Fixture.START + 60, f.item("n").expiresAt);
        long cas = f.item("n").cas;
        assertEquals(Status.EXISTS, f.store.metaArithmetic(k, 0, 1, true, 1, cas + 1, null, 0, 0,
                meta.reset(), item -> { }));
        Fixture.Captured seen = new Fixture.Captured();
        assertEquals(Status.STORED, f.store.metaArithmetic(k, 0, 1, false, 2, cas, null, 0, 0,
                meta.reset().explicitCas(4242), item -> {
                    seen.read(item);
                    meta.touch(10);
                }));
        assertFalse(meta.created());
        assertEquals("3", seen.value);
        assertEquals(4242, f.item("n").cas);
        assertEquals(Fixture.START + 10, f.item("n").expiresAt);
        assertEquals(Status.NOT_FOUND, f.store.metaArithmetic(Fixture.bytes("x"), 0, 1, true, 1, 0, null, 0, 0,
                meta.reset(), item -> { }));
    }

    @Test
    void debugShowsTheItemWithoutFetchingItAndCountsCmdMeta() {
        f.set("k", "v");
        MemorySegment k = Fixture.bytes("k");
        Fixture.Captured seen = new Fixture.Captured();
        assertTrue(f.store.metaDebug(k, 0, 1, new MetaItem(), seen));
        assertEquals("v", seen.value);
        assertFalse(f.store.metaDebug(Fixture.bytes("x"), 0, 1, new MetaItem(), seen));
        assertFalse(f.item("k").fetched, "debug does not fetch");
        assertEquals(2, f.store.metaDebugCommands());
        assertEquals(1, f.store.stats().getHits(), "only the test's own get counted a hit");
    }

    @Test
    void exactlyOneConcurrentReaderWinsEachStaleCycle() throws Exception {
        int threads = 8;
        int cycles = 20;
        f.set("k", "v", 0, 0);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int cycle = 0; cycle < cycles; cycle++) {
                markStale("k", false, 0, null);
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<Integer>> wins = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    wins.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        int won = 0;
                        MetaItem meta = new MetaItem();
                        for (int i = 0; i < 50; i++) {
                            Seen s = metaGet("k", meta.reset(), null, null, null);
                            won += s.won() ? 1 : 0;
                        }
                        return won;
                    }));
                }
                int total = 0;
                for (Future<Integer> w : wins) {
                    total += w.get(30, TimeUnit.SECONDS);
                }
                assertEquals(1, total, "cycle " + cycle);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void exactlyOneConcurrentVivifierWins() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 20; round++) {
                String key = "v" + round;
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<Boolean>> wins = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    wins.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        return metaGet(key, new MetaItem().vivify(), null, null, 30L).won();
                    }));
                }
                int total = 0;
                for (Future<Boolean> w : wins) {
                    total += w.get(30, TimeUnit.SECONDS) ? 1 : 0;
                }
                assertEquals(1, total, key);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
