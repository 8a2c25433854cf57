package dev.mnemo.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** CAS checks made atomically by delete, append/prepend and incr/decr, and the CAS unique a store reports. */
class CasCheckTest {

    private final Fixture f = new Fixture();

    @AfterEach
    void close() {
        f.close();
    }

    private long casOf(String key) {
        return f.item(key).cas;
    }

    @Test
    void storeReportsTheNewCasUniqueWithoutCountingAGet() {
        Fixture.Captured stored = new Fixture.Captured();
        assertEquals(WriteResult.STORED, f.store.set(Fixture.write("k", "v").onStored(stored)));
        assertEquals(1, stored.calls);
        assertEquals("v", stored.value);
        StoreStats s = f.store.stats();
        assertEquals(0, s.cmdGet());
        assertEquals(0, s.getHits());
        assertEquals(stored.cas, casOf("k"));
        assertEquals(false, stored.fetched);
    }

    @Test
    void storeDoesNotMarkTheItemFetched() {
        f.store.set(Fixture.write("k", "v").onStored(new Fixture.Captured()));
        assertEquals(false, f.item("k").fetched, "the first get sees the item unread");
    }

    @Test
    void refusedStoreDoesNotCallTheReader() {
        f.set("k", "v");
        Fixture.Captured stored = new Fixture.Captured();
        assertEquals(WriteResult.NOT_STORED, f.store.add(Fixture.write("k", "w").onStored(stored)));
        assertEquals(0, stored.calls);
    }

    @Test
    void appendWithMatchingCasStoresAndReportsTheNewCas() {
        f.set("k", "ab");
        long cas = casOf("k");
        Fixture.Captured stored = new Fixture.Captured();
        assertEquals(WriteResult.STORED, f.store.append(Fixture.write("k", "cd").casUnique(cas).onStored(stored)));
        assertEquals("abcd", f.get("k"));
        assertNotEquals(cas, stored.cas);
        assertEquals(stored.cas, casOf("k"));
        assertEquals(WriteResult.STORED, f.store.prepend(Fixture.write("k", "x").casUnique(stored.cas).onStored(stored)));
        assertEquals("xabcd", f.get("k"));
    }

    @Test
    void appendWithOtherCasIsExistsAndChangesNothing() {
        f.set("k", "ab");
        long cas = casOf("k");
        assertEquals(WriteResult.EXISTS, f.store.append(Fixture.write("k", "cd").casUnique(cas + 1)));
        assertEquals(WriteResult.EXISTS, f.store.prepend(Fixture.write("k", "cd").casUnique(cas + 1)));
        assertEquals("ab", f.get("k"));
        assertEquals(cas, casOf("k"));
    }

    @Test
    void appendWithCasToMissingItemIsNotStored() {
        assertEquals(WriteResult.NOT_STORED, f.store.append(Fixture.write("k", "cd").casUnique(5)));
        assertNull(f.get("k"));
    }

    @Test
    void casUniqueZeroMeansNoCheckForAppend() {
        f.set("k", "a");
        assertEquals(WriteResult.STORED, f.store.append(Fixture.write("k", "b").casUnique(0)));
        assertEquals("ab", f.get("k"));
    }

    @Test
    void setAddAndReplaceIgnoreTheCasUnique() {
        f.set("k", "a");
        long other = casOf("k") + 1;
        assertEquals(WriteResult.STORED, f.store.set(Fixture.write("k", "b").casUnique(other)));
        assertEquals(WriteResult.STORED, f.store.replace(Fixture.write("k", "c").casUnique(other)));
        assertEquals(WriteResult.STORED, f.store.add(Fixture.write("n", "d").casUnique(other)));
        assertEquals("c", f.get("k"));
        assertEquals("d", f.get("n"));
    }

    @Test
    void deleteWithCas() {
        f.set("k", "v");
        long cas = casOf("k");
        assertEquals(DeleteResult.EXISTS, f.delete("k", cas + 1));
        assertEquals("v", f.get("k"));
        assertEquals(0, f.store.stats().deleteHits() + f.store.stats().deleteMisses(), "a mismatch counts neither");
        assertEquals(DeleteResult.DELETED, f.delete("k", cas));
        assertNull(f.get("k"));
        assertEquals(DeleteResult.NOT_FOUND, f.delete("k", cas));
        assertEquals(1, f.store.stats().deleteHits());
        assertEquals(1, f.store.stats().deleteMisses());
    }

    @Test
    void incrWithCas() {
        f.set("n", "10");
        long cas = casOf("n");
        Fixture.Captured result = new Fixture.Captured();
        assertEquals(ArithmeticResult.EXISTS, f.incr("n", 1, cas + 1, result));
        assertEquals(0, result.calls);
        assertEquals("10", f.get("n"));
        assertEquals(0, f.store.stats().incrHits() + f.store.stats().incrMisses(), "a mismatch counts neither");
        assertEquals(ArithmeticResult.UPDATED, f.incr("n", 1, cas, result));
        assertEquals("11", result.value);
        assertEquals(result.cas, casOf("n"));
        assertNotEquals(cas, result.cas);
        assertEquals(ArithmeticResult.NOT_FOUND, f.incr("missing", 1, cas, result));
    }

    @Test
    void incrCreatesAMissingItemWhateverItsCasCountingNeitherASetNorAMiss() {
        Fixture.Captured result = new Fixture.Captured();
        assertEquals(ArithmeticResult.UPDATED, f.incrOrCreate("n", 5, 777, "10", result));
        assertEquals("10", result.value);
        assertEquals(0, result.flags);
        StoreStats s = f.store.stats();
        assertEquals(0, s.cmdSet());
        assertEquals(0, s.incrMisses());
        assertEquals(0, s.incrHits());
        assertEquals(1, s.totalItems());
        assertEquals(result.cas, casOf("n"));
        assertEquals(ArithmeticResult.UPDATED, f.incrOrCreate("n", 5, result.cas, "10", result));
        assertEquals("15", result.value);
        assertEquals(1, f.store.stats().incrHits());
    }

    @Test
    void incrCasMismatchComesBeforeTheNumericCheck() {
        f.set("k", "abc");
        assertEquals(ArithmeticResult.EXISTS, f.incr("k", 1, casOf("k") + 1, null));
        assertEquals(ArithmeticResult.NON_NUMERIC, f.incr("k", 1, casOf("k"), null));
    }

    @Test
    void withCasDisabledNoCasMatches() {
        try (Fixture g = new Fixture(Store.builder().memoryLimit(16 * Fixture.MIB).casEnabled(false))) {
            g.set("k", "1");
            assertEquals(0, g.item("k").cas);
            assertEquals(DeleteResult.EXISTS, g.delete("k", 1));
            assertEquals(ArithmeticResult.EXISTS, g.incr("k", 1, 1, null));
            assertEquals(WriteResult.EXISTS, g.store.append(Fixture.write("k", "x").casUnique(1)));
            assertEquals(WriteResult.EXISTS, g.cas("k", "x", 1));
            assertEquals("1", g.get("k"));
        }
    }

    /** Two threads append to one key with the CAS unique they both read: exactly one wins each round. */
    @Test
    void concurrentCasAppendsHaveOneWinnerPerRound() throws Exception {
        int rounds = 2_000;
        f.set("k", "");
        long[] roundCas = new long[1];
        AtomicInteger wins = new AtomicInteger();
        AtomicInteger losses = new AtomicInteger();
        CyclicBarrier barrier = new CyclicBarrier(2, () -> roundCas[0] = casOf("k"));
        Runnable appender = () -> {
            MemorySegment key = Fixture.bytes("k");
            MemorySegment value = Fixture.bytes("x");
            ItemWrite write = new ItemWrite();
            try {
                for (int r = 0; r < rounds; r++) {
                    barrier.await();
                    WriteResult s = f.store.append(write.reset().key(key, 0, 1).value(value, 0, 1).casUnique(roundCas[0]));
                    (s == WriteResult.STORED ? wins : losses).incrementAndGet();
                    barrier.await();
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        Thread a = Thread.ofPlatform().start(appender);
        Thread b = Thread.ofPlatform().start(appender);
        a.join();
        b.join();
        assertEquals(rounds, wins.get());
        assertEquals(rounds, losses.get());
        assertEquals(rounds, f.get("k").length());
    }
}
