package dev.mnemo.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
    void relativeExptimeExpiresAfterThatManySeconds() {
        f.set("k", "v", 0, 10);
        assertEquals(Fixture.START + 10, f.item("k").expiresAt);
        f.clock.advance(9);
        assertEquals("v", f.get("k"));
        f.clock.advance(1);
        assertNull(f.get("k"));
        assertEquals(1, f.store.stats().getExpired());
    }

    @Test
    void thirtyDaysIsStillRelative() {
        f.set("k", "v", 0, Store.MAX_RELATIVE_EXPTIME);
        assertEquals(Fixture.START + Store.MAX_RELATIVE_EXPTIME, f.item("k").expiresAt);
    }

    @Test
    void largerExptimeIsAbsoluteUnixTime() {
        f.set("k", "v", 0, Fixture.START + 100);
        assertEquals(Fixture.START + 100, f.item("k").expiresAt);
        f.clock.advance(99);
        assertNotNull(f.get("k"));
        f.clock.advance(1);
        assertNull(f.get("k"));
    }

    @Test
    void absoluteTimeInThePastExpiresAtOnce() {
        f.set("k", "v", 0, Store.MAX_RELATIVE_EXPTIME + 1);
        assertNull(f.get("k"));
    }

    @Test
    void negativeIsAlreadyExpired() {
        assertEquals(Status.STORED, f.set("k", "v", 0, -1));
        assertNull(f.get("k"));
        assertEquals(Status.STORED, f.store(StorageCommand.ADD, "k", "w", 0, 0, 0), "an expired item does not block add");
        assertEquals("w", f.get("k"));
    }

    @Test
    void touchAndGatSetANewExptime() {
        f.set("k", "v", 0, 10);
        assertEquals(Status.TOUCHED, f.touch("k", 100));
        f.clock.advance(50);
        assertEquals("v", f.gat("k", 5).value);
        f.clock.advance(5);
        assertNull(f.get("k"));
        assertEquals(Status.NOT_FOUND, f.touch("k", 100));
    }

    @Test
    void expiredItemsCannotBeReplacedOrIncremented() {
        f.set("k", "1", 0, 1);
        f.clock.advance(1);
        assertEquals(Status.NOT_STORED, f.store(StorageCommand.REPLACE, "k", "2", 0, 0, 0));
        assertEquals(Status.NOT_STORED, f.store(StorageCommand.APPEND, "k", "2", 0, 0, 0));
        assertEquals(Status.NOT_FOUND, f.incr("k", 1, null));
        assertEquals(Status.NOT_FOUND, f.delete("k"));
    }

    @Test
    void flushAllNowHidesEverythingStoredBefore() {
        f.set("a", "1");
        f.set("b", "2");
        f.store.flushAll(0);
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
    void flushAllWithFutureTimeTakesEffectThen() {
        f.set("a", "1");
        f.store.flushAll(10);
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
            f.set("k" + i, "v".repeat(100), 0, 10);
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
            f.set("k" + i, "v".repeat(100), 0, 10);
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
