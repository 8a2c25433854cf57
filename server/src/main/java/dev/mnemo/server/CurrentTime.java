package dev.mnemo.server;

import dev.mnemo.store.Clock;

/**
 * memcached's {@code current_time}: the server's time, read by every request and moved on by a
 * timer ({@link #tick}), so that a request reads a field instead of the system clock. memcached's
 * clock_handler ticks once a second; the server ticks this with its expiry sweep, every
 * {@link MnemoServer#SWEEP_INTERVAL_MILLIS} milliseconds, so it runs up to that much behind the
 * system clock (and more while the ticking event loop is busy with one long task).
 *
 * <p>Two readings: Unix seconds, the store's {@link Clock} (exptime, flush_all times; the store
 * reads it once per operation), and {@link System#nanoTime()} nanoseconds for a connection's last
 * command ("stats conns" idle time, the idle timeout). Reading the system clock per request cost
 * two clock_gettime(3) calls a get (about 3 % of the event loop's user time in the memaslap
 * profile, docs/PERFORMANCE.md).
 *
 * <p>Thread-safe: one thread ticks, any thread reads (volatile fields).
 */
final class CurrentTime implements Clock {

    private volatile long seconds;
    private volatile long nanos;

    CurrentTime() {
        tick();
    }

    /** Reads the system clocks; called by the timer. */
    void tick() {
        seconds = System.currentTimeMillis() / 1000L;
        nanos = System.nanoTime();
    }

    /** @return Unix seconds at the last tick */
    @Override
    public long nowSeconds() {
        return seconds;
    }

    /** @return {@link System#nanoTime()} at the last tick */
    long nanos() {
        return nanos;
    }
}
