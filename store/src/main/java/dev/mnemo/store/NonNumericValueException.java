package dev.mnemo.store;

/**
 * Thrown by {@link Store#increment(byte[], long)} and {@link Store#decrement(byte[], long)} when the
 * item's value is not the decimal text of an unsigned 64-bit number (memcached's "CLIENT_ERROR
 * cannot increment or decrement non-numeric value"). Nothing changed.
 */
public final class NonNumericValueException extends IllegalStateException {

    public NonNumericValueException() {
        super("cannot increment or decrement non-numeric value");
    }
}
