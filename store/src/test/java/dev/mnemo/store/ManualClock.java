package dev.mnemo.store;

/**
 * A {@link Clock} that moves only when told to: for tests of expiration, TTLs and
 * {@code flush_all} with a delay. Thread-safe.
 */
public final class ManualClock implements Clock {

    private volatile long nowSeconds;

    /**
     * @param startSeconds the initial time, Unix seconds
     */
    public ManualClock(long startSeconds) {
        this.nowSeconds = startSeconds;
    }

    @Override
    public long nowSeconds() {
        return nowSeconds;
    }

    /**
     * Moves the clock forward (or backward, for a negative argument).
     *
     * @param seconds how far to move, in seconds
     */
    public synchronized void advance(long seconds) {
        nowSeconds += seconds;
    }

    /**
     * Sets the clock.
     *
     * @param unixSeconds the new time, Unix seconds
     */
    public void set(long unixSeconds) {
        nowSeconds = unixSeconds;
    }
}
