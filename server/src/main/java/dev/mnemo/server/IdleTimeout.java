package dev.mnemo.server;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.util.concurrent.EventExecutor;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * memcached's {@code -o idle_timeout=N}: closes client connections that have completed no
 * command for more than N seconds while waiting for one ({@link ConnectionHandler#closeIfIdle}),
 * and counts them as {@code idle_kicks} ("stats", reset by "stats reset").
 *
 * <p>Costs nothing per request: each event loop runs a check every {@value #CHECK_INTERVAL_MILLIS}
 * ms that compares the last-command time the connections of that loop keep anyway; a connection
 * is therefore closed between N and N + 1 seconds after its last command (memcached's check is
 * as coarse: it compares whole seconds). Thread-safe.
 */
final class IdleTimeout {

    /** How often each event loop looks for idle connections, in milliseconds. */
    static final long CHECK_INTERVAL_MILLIS = 1000;

    private final int seconds;
    private final AtomicLong kicks = new AtomicLong();
    private volatile long kicksAtReset;

    /**
     * @param seconds memcached's idle_timeout in seconds; 0 or less: no timeout (memcached's
     *                default 0; "stats settings" shows the value as given)
     */
    IdleTimeout(int seconds) {
        this.seconds = seconds;
    }

    /** @return the timeout in seconds as configured ("stats settings" idle_timeout) */
    int seconds() {
        return seconds;
    }

    /** @return connections closed for being idle since start or the last "stats reset" (idle_kicks) */
    long kicks() {
        return kicks.get() - kicksAtReset;
    }

    /** "stats reset": idle_kicks starts again from 0. */
    void resetStats() {
        kicksAtReset = kicks.get();
    }

    /**
     * Starts the checks, one periodic task per event loop, which stop when the loops shut down.
     * Does nothing when the timeout is 0 or less.
     *
     * @param loops       the event loops that serve the connections
     * @param connections the open client connections, of every loop
     */
    void start(EventLoopGroup loops, ChannelGroup connections) {
        if (seconds <= 0) {
            return;
        }
        long timeoutNanos = TimeUnit.SECONDS.toNanos(seconds);
        for (EventExecutor loop : loops) {
            loop.scheduleAtFixedRate(() -> check(loop, connections, timeoutNanos),
                    CHECK_INTERVAL_MILLIS, CHECK_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Closes the idle connections of {@code loop}; runs on it. */
    private void check(EventExecutor loop, ChannelGroup connections, long timeoutNanos) {
        long now = System.nanoTime();
        for (Channel channel : connections) {
            if (channel.eventLoop() != loop) {
                continue;
            }
            ConnectionHandler handler = channel.pipeline().get(ConnectionHandler.class);
            if (handler != null && handler.closeIfIdle(now, timeoutNanos)) {
                kicks.incrementAndGet();
            }
        }
    }
}
