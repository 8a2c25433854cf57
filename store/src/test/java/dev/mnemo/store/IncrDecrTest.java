package dev.mnemo.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class IncrDecrTest {

    private final Fixture f = new Fixture();

    @AfterEach
    void close() {
        f.close();
    }

    private String incr(String key, long delta) {
        Fixture.Captured c = new Fixture.Captured();
        ArithmeticResult r = f.incr(key, delta, c);
        return r == ArithmeticResult.UPDATED ? c.value : r.name();
    }

    private String decr(String key, long delta) {
        Fixture.Captured c = new Fixture.Captured();
        ArithmeticResult r = f.decr(key, delta, c);
        return r == ArithmeticResult.UPDATED ? c.value : r.name();
    }

    @Test
    void incrementsAndKeepsFlagsAndExptime() {
        f.set("n", "41", 5, f.in(100));
        long cas = f.item("n").cas;
        assertEquals("42", incr("n", 1));
        Fixture.Captured c = f.item("n");
        assertEquals("42", c.value);
        assertEquals(5, c.flags);
        assertEquals(Fixture.START + 100, c.expiresAt);
        assertNotEquals(cas, c.cas);
    }

    @Test
    void incrOnMissingItemIsNotFound() {
        assertEquals("NOT_FOUND", incr("n", 1));
        assertEquals("NOT_FOUND", decr("n", 1));
        assertEquals(1, f.store.stats().incrMisses());
        assertEquals(1, f.store.stats().decrMisses());
    }

    @Test
    void nonNumericValuesAreRefused() {
        for (String v : new String[] {"", "abc", "12a", "-1", "18446744073709551616", " ", "+"}) {
            f.set("n", v);
            assertEquals("NON_NUMERIC", incr("n", 1), "value '" + v + "'");
            assertEquals(v, f.get("n"));
        }
        assertEquals(0, f.store.stats().incrHits());
    }

    @Test
    void acceptsWhatMemcachedsStrtoullAccepts() {
        f.set("n", " 5 ");
        assertEquals("6  ", incr("n", 1));
        f.set("n", "+7");
        assertEquals("8 ", incr("n", 1));
        f.set("n", "-0");
        assertEquals("1 ", incr("n", 1));
        f.set("n", "12 abc");
        assertEquals("13    ", incr("n", 1));
    }

    @Test
    void incrWrapsAt2To64() {
        f.set("n", "18446744073709551615");
        assertEquals("0                   ", incr("n", 1));
        f.set("n", "18446744073709551610");
        assertEquals("4                   ", incr("n", 10));
        f.set("n", "1");
        assertEquals("18446744073709551615", incr("n", -2L)); // delta 2^64-2
    }

    @ParameterizedTest
    @MethodSource("dev.mnemo.store.DecimalTextTest#unsignedNumbers")
    void incrAndDecrRenderEveryUnsignedNumberWithoutPadding(long value) {
        String text = Long.toUnsignedString(value);
        f.set("n", text);
        String sum = Long.toUnsignedString(value + 1);
        String expected = sum.length() >= text.length() ? sum : sum + " ".repeat(text.length() - sum.length());
        assertEquals(expected, incr("n", 1), "incr of " + text);
        f.set("n", text);
        String difference = value == 0 ? "0" : Long.toUnsignedString(value - 1);
        expected = difference + " ".repeat(text.length() - difference.length());
        assertEquals(expected, decr("n", 1), "decr of " + text);
    }

    @Test
    void decrStopsAtZero() {
        f.set("n", "5");
        assertEquals("0", decr("n", 6));
        assertEquals("0", decr("n", 1));
        assertEquals(2, f.store.stats().decrHits());
    }

    @Test
    void shorterResultIsPaddedWithSpacesAsMemcachedDoes() {
        f.set("n", "10");
        assertEquals("9 ", decr("n", 1));
        assertEquals("9 ", f.get("n"));
        assertEquals("104", incr("n", 95), "a longer result makes a longer value");
        assertEquals("104", f.get("n"));
        StoreStats s = f.store.stats();
        assertEquals(2, s.totalItems(), "memcached links a new item only when the number grows");
    }
}
