package dev.mnemo.store;

/**
 * The store's source of time, injectable so that tests make items expire without sleeping.
 *
 * <p>Implementations must be thread-safe and should be cheap: the store reads the clock on
 * every operation.
 */
@FunctionalInterface
public interface Clock {

    /** The system clock: {@link System#currentTimeMillis()} truncated to seconds. */
    Clock SYSTEM = () -> System.currentTimeMillis() / 1000L;

    /**
     * Returns the current time.
     *
     * @return Unix time in seconds (seconds since 1970-01-01T00:00:00Z)
     */
    long nowSeconds();
}
