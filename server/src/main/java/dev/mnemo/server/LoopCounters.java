package dev.mnemo.server;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The network counters of one worker event loop. Written only by that loop's thread (every
 * connection handler runs on its channel's loop), read by any thread for "stats": plain
 * single-writer counters with opaque access, so counting costs no lock and no fence. Also the
 * loop's budget of buffer room its connections may hold ahead of the bytes of a request
 * ({@link #grantAhead}).
 *
 * <p>Thread-safety: the {@code add…}/{@code record…} methods must be called from the owning
 * event loop only; the getters may be called from any thread and see a recent value.
 */
final class LoopCounters {

    private static final VarHandle BYTES_READ;
    private static final VarHandle BYTES_WRITTEN;
    private static final VarHandle THROTTLED;
    private static final VarHandle PEAK_PENDING;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            BYTES_READ = lookup.findVarHandle(LoopCounters.class, "bytesRead", long.class);
            BYTES_WRITTEN = lookup.findVarHandle(LoopCounters.class, "bytesWritten", long.class);
            THROTTLED = lookup.findVarHandle(LoopCounters.class, "throttled", long.class);
            PEAK_PENDING = lookup.findVarHandle(LoopCounters.class, "peakPendingOutputBytes", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private long bytesRead;
    private long bytesWritten;
    private long throttled;
    private long peakPendingOutputBytes;
    private final RequestLatency latency = new RequestLatency();

    /**
     * The room, in bytes, the connections of all the server's loops may hold ahead of the bytes
     * of their requests: 64 MiB, shared evenly by the loops, so that clients that send storage
     * command lines and stall take at most a quarter of the direct memory limit (256 MiB in
     * jvm.options) between them, whatever -c and -t.
     */
    static final long AHEAD_BUDGET_BYTES = 64L << 20;

    private final long aheadBudgetBytes;
    /** Room granted ahead and not yet given back, in bytes; the loop's thread only. */
    private long aheadBytes;

    /** @param aheadBudgetBytes the loop's budget of room ahead, in bytes: its share of {@link #AHEAD_BUDGET_BYTES} */
    LoopCounters(long aheadBudgetBytes) {
        this.aheadBudgetBytes = aheadBudgetBytes;
    }

    /**
     * Takes room ahead of a request's bytes from the loop's budget, all of it or none; the
     * connection gives it back with {@link #returnAhead} when its buffer changes or goes. Loop
     * thread only.
     *
     * @param bytes the room wanted, in bytes
     * @return whether it was granted: false once the budget has less left
     */
    boolean grantAhead(int bytes) {
        if (bytes > aheadBudgetBytes - aheadBytes) {
            return false;
        }
        aheadBytes += bytes;
        return true;
    }

    /** @param bytes room {@link #grantAhead} granted, given back; loop thread only */
    void returnAhead(int bytes) {
        aheadBytes -= bytes;
    }

    /** @param bytes bytes just read from a connection of this loop */
    void addBytesRead(long bytes) {
        BYTES_READ.setOpaque(this, bytesRead + bytes);
    }

    /** @param bytes reply bytes just handed to a connection of this loop for sending */
    void addBytesWritten(long bytes) {
        BYTES_WRITTEN.setOpaque(this, bytesWritten + bytes);
    }

    /** Counts one connection of this loop stopping reading because its output was over the high-water mark. */
    void addThrottled() {
        THROTTLED.setOpaque(this, throttled + 1);
    }

    /** @param bytes the reply bytes a connection of this loop has queued but not yet sent */
    void recordPendingOutput(long bytes) {
        if (bytes > peakPendingOutputBytes) {
            PEAK_PENDING.setOpaque(this, bytes);
        }
    }

    /** @return the request latency histograms of this loop (off until the metrics endpoint enables them) */
    RequestLatency latency() {
        return latency;
    }

    /** @return bytes read by this loop's connections since start */
    long bytesRead() {
        return (long) BYTES_READ.getOpaque(this);
    }

    /** @return bytes handed for sending by this loop's connections since start */
    long bytesWritten() {
        return (long) BYTES_WRITTEN.getOpaque(this);
    }

    /** @return times a connection of this loop was throttled */
    long throttled() {
        return (long) THROTTLED.getOpaque(this);
    }

    /** @return the most reply bytes any connection of this loop had queued unsent at once, in bytes */
    long peakPendingOutputBytes() {
        return (long) PEAK_PENDING.getOpaque(this);
    }
}
