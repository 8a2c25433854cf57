package dev.mnemo.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ExpirationTest {

    private final Fixture f = new Fixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void zeroNeverExpires() {
        f.set("k", "v", 0, 0);
        f.clock.advance(10L * 365 * 24 * 3600);
        assertEquals("v", f.get("k"));
    }

    @Test
    void expiresAtThatUnixSecond() {
        f.set("k", "v", 0, Fixture.START + 10);
        assertEquals(Fixture.START + 10, f.item("k").expiresAt);
        f.clock.advance(9);
        assertEquals("v", f.get("k"));
        f.clock.advance(1);
        assertNull(f.get("k"));
        assertEquals(1, f.store.stats().getExpired());
    }

    @Test
    void expiresAtIsAbsoluteEvenWhenSmall() {
        f.set("k", "v", 0, 100);
        assertNull(f.get("k"), "100 is a Unix time long past, not 100 seconds from now: the store has no 30-day rule");
        f.set("k", "v", 0, Fixture.START + 60L * 60 * 24 * 31);
        assertEquals(Fixture.START + 60L * 60 * 24 * 31, f.item("k").expiresAt, "31 days from now is just that");
    }

    @Test
    void nowOrThePastIsAlreadyExpired() {
        assertEquals(WriteResult.STORED, f.set("k", "v", 0, Fixture.START));
        assertNull(f.get("k"));
        assertEquals(WriteResult.STORED, f.set("k", "v", 0, 1));
        assertNull(f.get("k"));
        assertEquals(WriteResult.STORED, f.add("k", "w"), "an expired item does not block add");
        assertEquals("w", f.get("k"));
    }

    @Test
    void storeClockIsTheBuildersClock() {
        assertEquals(Fixture.START, f.store.nowSeconds());
        f.clock.advance(5);
        assertEquals(Fixture.START + 5, f.store.nowSeconds());
    }

    @Test
    void touchAndGatSetANewExptime() {
        f.set("k", "v", 0, f.in(10));
        assertTrue(f.touch("k", f.in(100)));
        assertEquals(Fixture.START + 100, f.item("k").expiresAt);
        f.clock.advance(50);
        assertEquals("v", f.gat("k", f.in(5)).value);
        f.clock.advance(5);
        assertNull(f.get("k"));
        assertFalse(f.touch("k", f.in(100)));
    }

    @Test
    void expiredItemsCannotBeReplacedOrIncremented() {
        f.set("k", "1", 0, f.in(1));
        f.clock.advance(1);
        assertEquals(WriteResult.NOT_STORED, f.replace("k", "2"));
        assertEquals(WriteResult.NOT_STORED, f.append("k", "2"));
        assertEquals(ArithmeticResult.NOT_FOUND, f.incr("k", 1, null));
        assertEquals(DeleteResult.NOT_FOUND, f.delete("k"));
    }

    @Test
    void flushAllNowHidesEverythingStoredBefore() {
        f.set("a", "1");
        f.set("b", "2");
        f.store.flushAll();
        assertNull(f.get("a"));
        assertNull(f.get("b"));
        f.set("c", "3");
        assertEquals("3", f.get("c"), "items stored after the flush are visible");
        f.set("a", "4");
        assertEquals("4", f.get("a"));
        StoreStats s = f.store.stats();
        assertEquals(2, s.getFlushed());
        assertEquals(1, s.cmdFlush());
    }

    @Test
    void flushAllAtZeroOrInThePastIsNow() {
        f.set("a", "1");
        f.store.flushAll(0);
        assertNull(f.get("a"));
        f.clock.advance(1);
        f.set("b", "2");
        f.store.flushAll(Fixture.START);
        assertNull(f.get("b"));
    }

    @Test
    void flushAllWithFutureTimeTakesEffectThen() {
        f.set("a", "1");
        f.store.flushAll(f.in(10));
        f.set("b", "2");
        f.clock.advance(9);
        assertEquals("1", f.get("a"));
        assertEquals("2", f.get("b"));
        f.clock.advance(1);
        assertNull(f.get("a"));
        assertNull(f.get("b"));
        f.set("c", "3");
        assertEquals("3", f.get("c"));
    }

    @Test
    void sweepReclaimsExpiredItemsAndFreesTheirSegments() {
        f.set("forever", "x");
        for (int i = 0; i < 20_000; i++) {
            f.set("k" + i, "v".repeat(100), 0, f.in(10));
        }
        long usedBefore = f.store.stats().segmentsUsed();
        assertEquals(0, f.store.sweepExpired(Integer.MAX_VALUE), "nothing has expired yet");
        f.clock.advance(10);
        int reclaimed = f.store.sweepExpired(Integer.MAX_VALUE);
        StoreStats s = f.store.stats();
        assertTrue(reclaimed > 10_000, "reclaimed " + reclaimed + " (the segment still open is not swept)");
        assertEquals(reclaimed, s.reclaimed());
        assertEquals(reclaimed, s.expiredUnfetched());
        assertEquals(20_001 - reclaimed, s.currItems());
        assertTrue(s.segmentsUsed() < usedBefore, "emptied segments are freed");
        assertEquals("x", f.get("forever"));
    }

    @Test
    void boundedSweepsGoOnWhereThePreviousOneStopped() {
        for (int i = 0; i < 20_000; i++) {
            f.set("k" + i, "v".repeat(100), 0, f.in(10));
        }
        f.clock.advance(10);
        int total = 0;
        int calls = 0;
        for (int reclaimed; (reclaimed = f.store.sweepExpired(1)) > 0 || calls < f.store.stats().segmentsTotal(); calls++) {
            total += reclaimed;
        }
        assertEquals(f.store.stats().reclaimed(), total);
        assertTrue(total > 10_000, "one segment per call still reaches every segment: " + total);
    }
}
