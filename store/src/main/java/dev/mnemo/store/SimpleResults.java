package dev.mnemo.store;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * Turns the zero-copy API's results into the simple API's return values and exceptions, and its
 * {@link Duration} TTLs into expiry times. Stateless.
 */
final class SimpleResults {

    private SimpleResults() {
    }

    /**
     * @return Unix seconds {@code ttl} after {@code now}, the TTL rounded up to whole seconds
     * @throws IllegalArgumentException if ttl is zero or negative
     */
    static long expiresAt(Duration ttl, long now) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, was " + ttl
                    + " (use the methods without a ttl for no expiry)");
        }
        long seconds = ttl.getSeconds() + (ttl.getNano() > 0 ? 1 : 0);
        return now + Math.min(seconds, Items.MAX_EXPIRES_AT);
    }

    /**
     * @return whether the value was stored
     * @throws ItemTooLargeException for TOO_LARGE
     * @throws StoreFullException    for OUT_OF_MEMORY
     */
    static boolean stored(WriteResult result, int valueLength, int maxItemSize) {
        return switch (result) {
            case STORED -> true;
            case NOT_STORED, EXISTS, NOT_FOUND -> false;
            case TOO_LARGE -> throw new ItemTooLargeException(valueLength, maxItemSize);
            case OUT_OF_MEMORY -> throw new StoreFullException();
        };
    }

    /** @return compare-and-set's result, throwing as {@link #stored} does */
    static CasResult cas(WriteResult result, int valueLength, int maxItemSize) {
        return switch (result) {
            case EXISTS -> CasResult.EXISTS;
            case NOT_FOUND -> CasResult.NOT_FOUND;
            default -> stored(result, valueLength, maxItemSize) ? CasResult.STORED : CasResult.NOT_FOUND;
        };
    }

    /**
     * @param copy the reader that received the new item
     * @return the new number, or empty if there was no item
     * @throws NonNumericValueException if the value was not a number
     * @throws StoreFullException       for OUT_OF_MEMORY
     */
    static OptionalLong number(ArithmeticResult result, ValueCopy copy) {
        return switch (result) {
            case UPDATED -> OptionalLong.of(DecimalText.parse(MemorySegment.ofArray(copy.value), 0, copy.value.length));
            case NOT_FOUND -> OptionalLong.empty();
            case NON_NUMERIC -> throw new NonNumericValueException();
            case OUT_OF_MEMORY -> throw new StoreFullException();
            case EXISTS, TOO_LARGE -> throw new IllegalStateException("no CAS unique or initial value was given");
        };
    }
}
