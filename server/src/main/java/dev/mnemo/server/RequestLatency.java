package dev.mnemo.server;

import io.netty.buffer.ByteBuf;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The request latency histograms of one worker event loop, one per {@link CommandFamily}: the
 * time a request takes to execute on the loop ({@link System#nanoTime()} around the protocol's
 * call that completes it, so parsing, the store operation and composing the reply), counted in
 * fixed buckets ({@link #BOUNDS_NANOS}). Off until {@link #enable()}: then a request costs two
 * {@code nanoTime} calls, a family lookup of a few bytes and two array writes, with no
 * allocation, no lock and no shared counter; the metrics endpoint sums the loops' arrays when
 * it is scraped ({@link #addTo}).
 *
 * <p>Thread-safety: {@link #start} and {@link #record} must be called from the owning event
 * loop only (single writer, opaque writes); {@link #addTo} and {@link #enable} from any thread.
 */
final class RequestLatency {

    /** Bucket upper bounds, in nanoseconds (1 µs to 100 ms); a last bucket holds the slower requests. */
    static final long[] BOUNDS_NANOS = {
        1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000,
        1_000_000, 2_000_000, 5_000_000, 10_000_000, 20_000_000, 50_000_000, 100_000_000,
    };

    /** Buckets per family: the bounded ones and the last, unbounded one. */
    static final int BUCKETS = BOUNDS_NANOS.length + 1;

    /** What {@link #start} returns while timing is off. */
    private static final long NOT_TIMED = Long.MIN_VALUE;

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    /** Requests per family and bucket, at {@code family * BUCKETS + bucket}. */
    private final long[] counts = new long[CommandFamily.ALL.length * BUCKETS];
    /** Nanoseconds spent per family. */
    private final long[] sumNanos = new long[CommandFamily.ALL.length];
    private volatile boolean enabled;

    /** Starts timing (the metrics endpoint does, when it starts). */
    void enable() {
        enabled = true;
    }

    /** @return the time a request starts, to pass to {@link #record}; a marker while timing is off */
    long start() {
        return enabled ? System.nanoTime() : NOT_TIMED;
    }

    /**
     * Counts one executed request.
     *
     * @param in           the inbound bytes the request was read from
     * @param requestStart the index of its first byte in {@code in}
     * @param startNanos   what {@link #start} returned before it executed
     */
    void record(ByteBuf in, int requestStart, long startNanos) {
        if (startNanos == NOT_TIMED) {
            return;
        }
        long nanos = System.nanoTime() - startNanos;
        int family = CommandFamily.of(in, requestStart).ordinal();
        int bucket = 0;
        while (bucket < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[bucket]) {
            bucket++;
        }
        int index = family * BUCKETS + bucket;
        LONGS.setOpaque(counts, index, counts[index] + 1);
        LONGS.setOpaque(sumNanos, family, sumNanos[family] + nanos);
    }

    /**
     * Adds this loop's figures to running totals.
     *
     * @param countTotals per family and bucket, at {@code family * BUCKETS + bucket}
     * @param nanoTotals  nanoseconds per family
     */
    void addTo(long[] countTotals, long[] nanoTotals) {
        for (int i = 0; i < counts.length; i++) {
            countTotals[i] += (long) LONGS.getOpaque(counts, i);
        }
        for (int i = 0; i < sumNanos.length; i++) {
            nanoTotals[i] += (long) LONGS.getOpaque(sumNanos, i);
        }
    }
}
