package dev.mnemo.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The simple API of {@link Store}: byte arrays in and out, Duration TTLs, per-operation results and exceptions. */
class SimpleApiTest {

    private final Fixture f = new Fixture();
    private final Store store = f.store;

    @AfterEach
    void close() {
        f.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    // ---- get, getItem, set ----

    @Test
    void getReturnsACopyOfTheValueOrNullOnAMiss() {
        assertNull(store.get(b("k")));
        store.set(b("k"), b("value"));
        byte[] value = store.get(b("k"));
        assertEquals("value", s(value));
        value[0] = 'X';
        assertEquals("value", s(store.get(b("k"))), "changing the copy changes nothing in the store");
        StoreStats stats = store.stats();
        assertEquals(List.of(2L, 1L, 1L), List.of(stats.getHits(), stats.getMisses(), stats.cmdSet()),
                "get_hits, get_misses, cmd_set");
    }

    @Test
    void setCopiesTheValueAndReplacesAnyItem() {
        byte[] value = b("first");
        store.set(b("k"), value);
        value[0] = 'X';
        assertEquals("first", s(store.get(b("k"))), "the store keeps its own copy");
        store.set(b("k"), b("second"));
        assertEquals("second", s(store.get(b("k"))));
        store.set(b("k"), new byte[0]);
        assertArrayEquals(new byte[0], store.get(b("k")), "an empty value is a hit, not a miss");
        assertEquals(1, store.stats().currItems());
    }

    @Test
    void getItemHasValueClientFlagsCasUniqueAndExpiry() {
        assertNull(store.getItem(b("k")));
        store.set(b("k"), b("v"));
        Item item = store.getItem(b("k"));
        assertEquals("v", s(item.value()));
        assertEquals(0, item.clientFlags());
        assertNotEquals(0, item.casUnique());
        assertEquals(f.item("k").cas, item.casUnique());
        assertEquals(Optional.empty(), item.expiresAt(), "never expires");
        f.set("flagged", "w", 0xCAFE, Fixture.START + 50);
        Item flagged = store.getItem(b("flagged"));
        assertEquals(0xCAFE, flagged.clientFlags());
        assertEquals(Optional.of(Instant.ofEpochSecond(Fixture.START + 50)), flagged.expiresAt());
    }

    @Test
    void setWithTtlExpiresAfterIt() {
        store.set(b("k"), b("v"), Duration.ofSeconds(10));
        assertEquals(Optional.of(Instant.ofEpochSecond(Fixture.START + 10)), store.getItem(b("k")).expiresAt());
        f.clock.advance(9);
        assertEquals("v", s(store.get(b("k"))));
        f.clock.advance(1);
        assertNull(store.get(b("k")));
        assertNull(store.getItem(b("k")));
    }

    @Test
    void ttlIsRoundedUpToWholeSeconds() {
        store.set(b("a"), b("v"), Duration.ofMillis(1500));
        store.set(b("b"), b("v"), Duration.ofNanos(1));
        store.set(b("c"), b("v"), Duration.ofSeconds(3));
        assertEquals(Fixture.START + 2, f.item("a").expiresAt);
        assertEquals(Fixture.START + 1, f.item("b").expiresAt, "a TTL under a second still lives a second");
        assertEquals(Fixture.START + 3, f.item("c").expiresAt);
    }

    @Test
    void ttlAboveThirtyDaysIsStillATimeToLive() {
        store.set(b("k"), b("v"), Duration.ofDays(31));
        assertEquals(Fixture.START + 31L * 24 * 3600, f.item("k").expiresAt, "no protocol.txt 30-day rule here");
        f.clock.advance(30L * 24 * 3600);
        assertEquals("v", s(store.get(b("k"))));
    }

    @Test
    void aHugeTtlDoesNotExpireTheItem() {
        store.set(b("k"), b("v"), Duration.ofSeconds(Long.MAX_VALUE));
        f.clock.advance(50L * 365 * 24 * 3600);
        assertEquals("v", s(store.get(b("k"))));
    }

    @Test
    void zeroOrNegativeTtlIsRefusedAndStoresNothing() {
        for (Duration ttl : new Duration[] {Duration.ZERO, Duration.ofSeconds(-1), Duration.ofNanos(-1)}) {
            assertThrows(IllegalArgumentException.class, () -> store.set(b("k"), b("v"), ttl), ttl.toString());
            assertThrows(IllegalArgumentException.class, () -> store.add(b("k"), b("v"), ttl), ttl.toString());
            assertThrows(IllegalArgumentException.class, () -> store.replace(b("k"), b("v"), ttl), ttl.toString());
            assertThrows(IllegalArgumentException.class, () -> store.compareAndSet(b("k"), 1, b("v"), ttl));
            assertThrows(IllegalArgumentException.class, () -> store.touch(b("k"), ttl), ttl.toString());
        }
        assertNull(store.get(b("k")));
        assertEquals(0, store.stats().cmdSet());
        assertEquals(0, store.stats().cmdTouch());
    }

    @Test
    void nullTtlIsRefused() {
        assertThrows(NullPointerException.class, () -> store.set(b("k"), b("v"), null));
        assertNull(store.get(b("k")));
    }

    // ---- add, replace ----

    @Test
    void addStoresOnlyWhenTheKeyHasNoItem() {
        assertTrue(store.add(b("k"), b("a")));
        assertFalse(store.add(b("k"), b("b")));
        assertEquals("a", s(store.get(b("k"))));
        assertTrue(store.add(b("t"), b("v"), Duration.ofSeconds(5)));
        assertFalse(store.add(b("t"), b("w"), Duration.ofSeconds(5)));
        f.clock.advance(5);
        assertTrue(store.add(b("t"), b("w"), Duration.ofSeconds(5)), "an expired item does not block add");
        assertEquals("w", s(store.get(b("t"))));
    }

    @Test
    void replaceStoresOnlyWhenTheKeyHasAnItem() {
        assertFalse(store.replace(b("k"), b("a")));
        assertNull(store.get(b("k")));
        store.set(b("k"), b("a"), Duration.ofSeconds(5));
        assertTrue(store.replace(b("k"), b("b")));
        assertEquals("b", s(store.get(b("k"))));
        assertEquals(Optional.empty(), store.getItem(b("k")).expiresAt(), "replace without a ttl never expires");
        assertTrue(store.replace(b("k"), b("c"), Duration.ofSeconds(7)));
        assertEquals(Fixture.START + 7, f.item("k").expiresAt);
        f.clock.advance(7);
        assertFalse(store.replace(b("k"), b("d")), "an expired item is not replaced");
    }

    // ---- compareAndSet ----

    @Test
    void compareAndSetStoresOnlyOverTheCasUniqueRead() {
        assertEquals(CasResult.NOT_FOUND, store.compareAndSet(b("k"), 1, b("v")));
        store.set(b("k"), b("a"));
        long cas = store.getItem(b("k")).casUnique();
        assertEquals(CasResult.EXISTS, store.compareAndSet(b("k"), cas + 1, b("b")));
        assertEquals("a", s(store.get(b("k"))));
        assertEquals(CasResult.STORED, store.compareAndSet(b("k"), cas, b("b")));
        Item item = store.getItem(b("k"));
        assertEquals("b", s(item.value()));
        assertNotEquals(cas, item.casUnique(), "a stored item gets a new CAS unique");
        assertEquals(CasResult.EXISTS, store.compareAndSet(b("k"), cas, b("c")), "the old unique no longer matches");
        StoreStats stats = store.stats();
        assertEquals(1, stats.casHits());
        assertEquals(2, stats.casBadval());
        assertEquals(1, stats.casMisses());
    }

    @Test
    void compareAndSetWithTtl() {
        store.set(b("k"), b("a"));
        long cas = store.getItem(b("k")).casUnique();
        assertEquals(CasResult.STORED, store.compareAndSet(b("k"), cas, b("b"), Duration.ofSeconds(4)));
        assertEquals(Fixture.START + 4, f.item("k").expiresAt);
        long next = store.getItem(b("k")).casUnique();
        f.clock.advance(4);
        assertEquals(CasResult.NOT_FOUND, store.compareAndSet(b("k"), next, b("c")), "expired: no item");
    }

    @Test
    void compareAndSetNeverMatchesWithCasDisabled() {
        try (Fixture g = new Fixture(Store.builder().memoryLimit(8 * Fixture.MIB).casEnabled(false))) {
            g.store.set(b("k"), b("a"));
            assertEquals(0, g.store.getItem(b("k")).casUnique());
            assertEquals(CasResult.EXISTS, g.store.compareAndSet(b("k"), 0, b("b")));
            assertEquals("a", s(g.store.get(b("k"))));
        }
    }

    // ---- increment, decrement ----

    @Test
    void incrementAndDecrementReturnTheNewValue() {
        store.set(b("n"), b("41"), Duration.ofSeconds(100));
        assertEquals(OptionalLong.of(42), store.increment(b("n"), 1));
        assertEquals(OptionalLong.of(40), store.decrement(b("n"), 2));
        assertEquals("40", s(store.get(b("n"))));
        assertEquals(Fixture.START + 100, f.item("n").expiresAt, "the item keeps its expiry");
        assertEquals(1, store.stats().incrHits());
        assertEquals(1, store.stats().decrHits());
    }

    @Test
    void incrementAndDecrementOfAMissingItemAreEmpty() {
        assertEquals(OptionalLong.empty(), store.increment(b("n"), 1));
        assertEquals(OptionalLong.empty(), store.decrement(b("n"), 1));
        assertNull(store.get(b("n")), "nothing is created");
        assertEquals(1, store.stats().incrMisses());
        assertEquals(1, store.stats().decrMisses());
    }

    @Test
    void aNonNumericValueThrowsAndStaysAsItWas() {
        for (String value : new String[] {"", "abc", "12a", "-1", "18446744073709551616"}) {
            store.set(b("n"), b(value));
            assertThrows(NonNumericValueException.class, () -> store.increment(b("n"), 1), value);
            assertThrows(NonNumericValueException.class, () -> store.decrement(b("n"), 1), value);
            assertEquals(value, s(store.get(b("n"))));
        }
    }

    @Test
    void incrementWrapsAt2To64() {
        store.set(b("n"), b("18446744073709551615"));
        assertEquals(OptionalLong.of(0), store.increment(b("n"), 1));
        store.set(b("n"), b("18446744073709551610"));
        assertEquals(OptionalLong.of(4), store.increment(b("n"), 10));
        store.set(b("n"), b("1"));
        OptionalLong max = store.increment(b("n"), -2L); // delta 2^64 - 2, read as unsigned
        assertEquals("18446744073709551615", Long.toUnsignedString(max.orElseThrow()), "the result is unsigned");
    }

    @Test
    void decrementStopsAtZero() {
        store.set(b("n"), b("5"));
        assertEquals(OptionalLong.of(0), store.decrement(b("n"), 6));
        assertEquals(OptionalLong.of(0), store.decrement(b("n"), 1));
        store.set(b("n"), b("5"));
        assertEquals(OptionalLong.of(0), store.decrement(b("n"), -1L), "a delta of 2^64 - 1 stops at 0 too");
    }

    @Test
    void aShorterResultIsStillReturnedAsItsNumber() {
        store.set(b("n"), b("10"));
        assertEquals(OptionalLong.of(9), store.decrement(b("n"), 1));
        assertEquals("9 ", s(store.get(b("n"))), "memcached pads the value to its old length");
        assertEquals(OptionalLong.of(10), store.increment(b("n"), 1));
    }

    // ---- delete, touch ----

    @Test
    void deleteSaysWhetherThereWasAnItem() {
        assertFalse(store.delete(b("k")));
        store.set(b("k"), b("v"));
        assertTrue(store.delete(b("k")));
        assertNull(store.get(b("k")));
        assertFalse(store.delete(b("k")));
        assertEquals(1, store.stats().deleteHits());
        assertEquals(2, store.stats().deleteMisses());
    }

    @Test
    void touchGivesANewTimeToLive() {
        assertFalse(store.touch(b("k"), Duration.ofSeconds(10)));
        store.set(b("k"), b("v"), Duration.ofSeconds(5));
        assertTrue(store.touch(b("k"), Duration.ofSeconds(100)));
        assertEquals(Fixture.START + 100, f.item("k").expiresAt);
        f.clock.advance(50);
        assertTrue(store.touch(b("k"), Duration.ofMillis(10)));
        assertEquals(Fixture.START + 51, f.item("k").expiresAt, "rounded up to a whole second");
        f.clock.advance(1);
        assertNull(store.get(b("k")));
        assertFalse(store.touch(b("k"), Duration.ofSeconds(10)));
        assertEquals(2, store.stats().touchHits());
        assertEquals(2, store.stats().touchMisses());
    }

    // ---- too large, bad arguments ----

    @Test
    void aTooLargeSetThrowsAndTheOldItemIsGone() {
        int max = store.maxItemSize();
        store.set(b("k"), b("old"));
        ItemTooLargeException e = assertThrows(ItemTooLargeException.class, () -> store.set(b("k"), new byte[max + 1]));
        assertInstanceOf(IllegalArgumentException.class, e);
        assertTrue(e.getMessage().contains(String.valueOf(max + 1)), e.getMessage());
        assertNull(store.get(b("k")), "no stale value outlives a failed set, as in memcached");
        assertEquals(1, store.stats().storeTooLarge());
        store.set(b("k"), new byte[max]);
        assertEquals(max, store.get(b("k")).length, "exactly the max item size fits");
    }

    @Test
    void tooLargeAddReplaceAndCompareAndSetThrowToo() {
        int max = store.maxItemSize();
        byte[] big = new byte[max + 1];
        assertThrows(ItemTooLargeException.class, () -> store.add(b("a"), big));
        assertNull(store.get(b("a")));
        store.set(b("r"), b("old"));
        assertThrows(ItemTooLargeException.class, () -> store.replace(b("r"), big));
        long cas = store.getItem(b("r")).casUnique();
        assertThrows(ItemTooLargeException.class, () -> store.compareAndSet(b("r"), cas, big));
    }

    @Test
    void nullKeysAndValuesAreRefusedAndChangeNothing() {
        assertThrows(IllegalArgumentException.class, () -> store.get(null));
        assertThrows(IllegalArgumentException.class, () -> store.getItem(null));
        assertThrows(IllegalArgumentException.class, () -> store.set(null, b("v")));
        assertThrows(IllegalArgumentException.class, () -> store.add(null, b("v")));
        assertThrows(IllegalArgumentException.class, () -> store.delete(null));
        assertThrows(IllegalArgumentException.class, () -> store.increment((byte[]) null, 1));
        assertThrows(IllegalArgumentException.class, () -> store.touch(null, Duration.ofSeconds(1)));
        assertThrows(NullPointerException.class, () -> store.set(b("k"), null));
        assertThrows(NullPointerException.class, () -> store.add(b("k"), null));
        assertThrows(NullPointerException.class, () -> store.replace(b("k"), null));
        assertThrows(NullPointerException.class, () -> store.compareAndSet(b("k"), 1, null));
        assertNull(store.get(b("k")));
        assertEquals(0, store.stats().currItems());
        assertEquals(0, store.stats().cmdSet());
    }

    @Test
    void keysMustBeOneTo250Bytes() {
        byte[] longest = b("k".repeat(Store.MAX_KEY_LENGTH));
        store.set(longest, b("v"));
        assertEquals("v", s(store.get(longest)));
        assertThrows(IllegalArgumentException.class, () -> store.set(b("k".repeat(251)), b("v")));
        assertThrows(IllegalArgumentException.class, () -> store.get(new byte[0]));
        assertEquals(1, store.stats().currItems());
    }

    @Test
    void theSimpleAndTheZeroCopyApiSeeTheSameItems() {
        store.set(b("k"), b("simple"));
        assertEquals("simple", f.get("k"));
        f.set("z", "zero-copy");
        assertEquals("zero-copy", s(store.get(b("z"))));
        assertNotNull(store.getItem(b("z")));
    }

    @Test
    void operationsAfterCloseThrowIllegalState() {
        store.set(b("k"), b("v"));
        store.close();
        assertThrows(IllegalStateException.class, () -> store.get(b("k")));
        assertThrows(IllegalStateException.class, () -> store.set(b("k"), b("v")));
    }
}
