package dev.mnemo.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.store.ManualClock;
import dev.mnemo.store.Store;
import org.junit.jupiter.api.Test;

/** protocol.txt's "Expiration times": the 30-day rule that turns a client's exptime into the store's absolute one. */
class ExptimeTest {

    private static final long NOW = 1_700_000_000L;

    @Test
    void zeroNeverExpires() {
        assertEquals(0, Exptime.toExpiresAt(0, NOW));
    }

    @Test
    void relativeExptimeIsThatManySecondsFromNow() {
        assertEquals(NOW + 1, Exptime.toExpiresAt(1, NOW));
        assertEquals(NOW + 10, Exptime.toExpiresAt(10, NOW));
    }

    @Test
    void thirtyDaysIsStillRelative() {
        assertEquals(60L * 60 * 24 * 30, Exptime.MAX_RELATIVE);
        assertEquals(NOW + Exptime.MAX_RELATIVE, Exptime.toExpiresAt(Exptime.MAX_RELATIVE, NOW));
    }

    @Test
    void largerExptimeIsAbsoluteUnixTime() {
        assertEquals(NOW + 100, Exptime.toExpiresAt(NOW + 100, NOW));
    }

    @Test
    void absoluteTimeInThePastIsAlreadyExpired() {
        long at = Exptime.toExpiresAt(Exptime.MAX_RELATIVE + 1, NOW);
        assertEquals(Exptime.MAX_RELATIVE + 1, at);
        assertTrue(at > 0 && at <= NOW, "the store takes a time at or before now as already expired");
    }

    @Test
    void negativeIsAlreadyExpired() {
        for (long exptime : new long[] {-1, -100, Long.MIN_VALUE}) {
            long at = Exptime.toExpiresAt(exptime, NOW);
            assertTrue(at > 0 && at <= NOW, exptime + " gave " + at);
        }
    }

    @Test
    void theStoreVariantReadsTheStoresClock() {
        ManualClock clock = new ManualClock(NOW);
        try (Store store = Store.builder().memoryLimit(8L << 20).clock(clock).sweepExpiredInBackground(false).open()) {
            for (long exptime : new long[] {0, 1, 10, Exptime.MAX_RELATIVE, Exptime.MAX_RELATIVE + 1, NOW + 100, -1}) {
                assertEquals(Exptime.toExpiresAt(exptime, NOW), Exptime.toExpiresAt(exptime, store), "exptime " + exptime);
            }
            clock.advance(5);
            assertEquals(NOW + 5 + 10, Exptime.toExpiresAt(10, store));
        }
    }
}
