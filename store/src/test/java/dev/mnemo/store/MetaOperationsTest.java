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

/** The store operations behind the meta protocol, through store.meta(): get, set, delete, arithmetic, debug. */
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

    /**
     * A meta get whose reader applies {@code vivify}, {@code touch} then {@code recache} (each if not null, each
     * seconds from now, 0 for N's never), as flags N, T and R.
     */
    private Seen metaGet(String key, MetaItem meta, Long touch, Long recache, Long vivify) {
        MemorySegment k = Fixture.bytes(key);
        Seen[] seen = new Seen[1];
        boolean hit = f.store.meta().get(k, 0, (int) k.byteSize(), meta, item -> {
            if (vivify != null) {
                meta.vivified(vivify == 0 ? 0 : f.in(vivify));
            }
            if (touch != null) {
                meta.touch(f.in(touch));
            }
            if (recache != null) {
                meta.recache(f.in(recache));
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

    /** md with I (and C, T when asked; {@code touch} in seconds from now). */
    private DeleteResult markStale(String key, boolean compare, long cas, Long touch) {
        MemorySegment k = Fixture.bytes(key);
        return f.store.meta().delete(k, 0, (int) k.byteSize(), compare, cas, true, false,
                touch == null ? -1 : f.in(touch), 0);
    }

    /** An ms with the given options; N's exptime is 100 seconds from now. */
    private static ItemWrite metaWrite(Fixture f, String key, String value, long cas, boolean invalidate,
                                       long explicitCas, boolean vivify) {
        ItemWrite w = Fixture.write(key, value).casUnique(cas).explicitCas(explicitCas);
        if (invalidate) {
            w.invalidate();
        }
        if (vivify) {
            w.vivify(f.in(100));
        }
        return w;
    }

    private WriteResult metaCas(String key, String value, long cas, boolean invalidate) {
        return f.store.meta().compareAndSet(metaWrite(f, key, value, cas, invalidate, 0, false));
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
        f.set("k", "v", 0, f.in(1000));
        Seen s = metaGet("k", new MetaItem(), 50L, null, null);
        assertEquals(50, s.ttl());
        StoreStats stats = f.store.stats();
        assertEquals(1, stats.touchHits());
        assertEquals(0, stats.getHits(), "a touching mg counts a touch, not a get, as memcached");
        assertEquals(Fixture.START + 50, f.item("k").expiresAt);
    }

    @Test
    void recacheWinsOnceWhenTheTtlIsBelowTheThresholdAndNeverForAnItemThatDoesNotExpire() {
        f.set("short", "v", 0, f.in(10));
        f.set("forever", "v", 0, 0);
        Seen winner = metaGet("short", new MetaItem(), null, 30L, null);
        assertTrue(winner.won());
        Seen other = metaGet("short", new MetaItem(), null, 30L, null);
        assertFalse(other.won());
        assertTrue(other.tokenSent());
        assertFalse(metaGet("forever", new MetaItem(), null, 30L, null).won());
        f.set("short", "fresh", 0, f.in(10));
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
        f.set("k", "old", 0, f.in(1000));
        long before = f.item("k").cas;
        assertEquals(DeleteResult.DELETED, markStale("k", false, 0, 30L));
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
        assertEquals(DeleteResult.EXISTS, markStale("k", true, cas + 1, null));
        assertEquals(DeleteResult.EXISTS, markStale("k", true, 0, null), "C0 never matches");
        assertEquals(DeleteResult.DELETED, markStale("k", true, cas, null));
        assertTrue(f.item("k").stale, "kept, marked stale");
        assertEquals(DeleteResult.NOT_FOUND, markStale("missing", false, 0, null));
    }

    @Test
    void invalidatingStoreWithAnOlderCasStoresStaleKeepingTtlAndToken() {
        f.set("k", "old", 0, f.in(500));
        long old = f.item("k").cas;
        markStale("k", false, 0, null);
        assertTrue(metaGet("k").won());
        long current = f.item("k").cas;
        assertEquals(WriteResult.EXISTS, metaCas("k", "x", old, false));
        assertEquals(WriteResult.EXISTS, metaCas("k", "x", current + 5, true),
                "a newer CAS than the item's is refused even with I");
        assertEquals(WriteResult.STORED, metaCas("k", "newer", old, true));
        Fixture.Captured item = f.item("k");
        assertEquals("newer", item.value);
        assertTrue(item.stale);
        assertEquals(Fixture.START + 500, item.expiresAt);
        Seen seen = metaGet("k");
        assertTrue(seen.tokenSent(), "the token handed out before stays handed out");
        assertFalse(seen.won());
        assertEquals(WriteResult.STORED, metaCas("k", "fresh", seen.cas(), true));
        assertFalse(f.item("k").stale, "the item's own CAS replaces it outright");
    }

    @Test
    void metaStoreWithExplicitCasAndAutovivifyingAppend() {
        MetaOperations meta = f.store.meta();
        assertEquals(WriteResult.STORED, meta.set(metaWrite(f, "k", "v", 0, false, 12345, false)));
        assertEquals(12345, f.item("k").cas);
        assertEquals(WriteResult.NOT_STORED, meta.append(metaWrite(f, "a", "x", 0, false, 0, false)));
        assertEquals(WriteResult.STORED, meta.append(metaWrite(f, "a", "x", 0, false, 0, true)));
        assertEquals(WriteResult.STORED, meta.prepend(metaWrite(f, "a", "y", 0, false, 0, true)));
        Fixture.Captured a = f.item("a");
        assertEquals("yx", a.value);
        assertEquals(Fixture.START + 100, a.expiresAt, "a vivified item takes N's exptime");
    }

    @Test
    void dropValueKeepsTheItemWithFlagsAndExptime() {
        f.set("k", "value", 42, f.in(300));
        MemorySegment k = Fixture.bytes("k");
        MetaOperations meta = f.store.meta();
        assertEquals(DeleteResult.DELETED, meta.delete(k, 0, 1, false, 0, false, true, -1, 99));
        Fixture.Captured item = f.item("k");
        assertEquals("", item.value);
        assertEquals(42, item.flags);
        assertEquals(Fixture.START + 300, item.expiresAt);
        assertEquals(99, item.cas);
        assertFalse(item.stale);
        assertEquals(DeleteResult.DELETED, meta.delete(k, 0, 1, false, 0, true, true, -1, 0));
        assertTrue(f.item("k").stale);
        assertEquals("", f.item("k").value);
        assertEquals(DeleteResult.EXISTS, meta.delete(k, 0, 1, true, 1, false, false, -1, 0));
        assertEquals(DeleteResult.DELETED, meta.delete(k, 0, 1, false, 0, false, false, -1, 0));
        assertNull(f.item("k"));
        assertEquals(DeleteResult.NOT_FOUND, meta.delete(k, 0, 1, true, 0, false, false, -1, 0));
    }

    @Test
    void metaArithmeticCreatesComparesAndTouchesInOrder() {
        MetaOperations ops = f.store.meta();
        long[] ttl = new long[1];
        MetaItem meta = new MetaItem();
        assertEquals(ArithmeticResult.UPDATED, ops.increment(Fixture.write("n", "5").vivify(0), 1, meta.reset(), item -> {
            ttl[0] = meta.ttl();
            meta.vivified(f.in(60));
        }));
        assertTrue(meta.created());
        assertEquals(-1, ttl[0], "t before N sees the created item's exptime before N applies");
        assertEquals("5", f.get("n"));
        assertEquals(Fixture.START + 60, f.item("n").expiresAt);
        long cas = f.item("n").cas;
        assertEquals(ArithmeticResult.EXISTS, ops.increment(Fixture.key("n").casUnique(cas + 1), 1,
                meta.reset(), item -> { }));
        Fixture.Captured seen = new Fixture.Captured();
        assertEquals(ArithmeticResult.UPDATED, ops.decrement(Fixture.key("n").casUnique(cas).explicitCas(4242), 2,
                meta.reset(), item -> {
                    seen.read(item);
                    meta.touch(f.in(10));
                }));
        assertFalse(meta.created());
        assertEquals("3", seen.value);
        assertEquals(4242, f.item("n").cas);
        assertEquals(Fixture.START + 10, f.item("n").expiresAt);
        assertEquals(ArithmeticResult.NOT_FOUND, ops.increment(Fixture.key("x"), 1, meta.reset(), item -> { }));
    }

    @Test
    void debugShowsTheItemWithoutFetchingItAndCountsCmdMeta() {
        f.set("k", "v");
        MemorySegment k = Fixture.bytes("k");
        Fixture.Captured seen = new Fixture.Captured();
        assertTrue(f.store.meta().debug(k, 0, 1, new MetaItem(), seen));
        assertEquals("v", seen.value);
        assertFalse(f.store.meta().debug(Fixture.bytes("x"), 0, 1, new MetaItem(), seen));
        assertFalse(f.item("k").fetched, "debug does not fetch");
        assertEquals(2, f.store.meta().debugCommands());
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
