package dev.mnemo.store;


/**
 * memcached's flush_all, immediate or delayed, and the store's notion of now: {@link #now()},
 * which every operation calls first, applies a delayed flush whose time has come. A flush seals
 * every open segment and moves the flush sequence past them, so every item stored before it
 * is dead to {@link Liveness}. The pending flush's time is in the
 * region's header, shared by every process; whichever reaches it first applies it. Thread-safe.
 */
final class FlushAll {

    private final RegionHeader header;
    private final Clock clock;
    private final Appender appender;
    private final SegmentLock segmentLock;
    private final S3Fifo policy;
    private final Liveness liveness;
    private final Counters counters;

    FlushAll(Region region, Clock clock, Appender appender, SegmentLock segmentLock, S3Fifo policy, Liveness liveness,
             Counters counters) {
        this.header = region.header;
        this.clock = clock;
        this.appender = appender;
        this.segmentLock = segmentLock;
        this.policy = policy;
        this.liveness = liveness;
        this.counters = counters;
    }

    /** @return the time, Unix seconds, after applying a delayed flush that has come due */
    long now() {
        long now = clock.nowSeconds();
        long pending = header.pendingFlushAt();
        if (pending != 0 && now >= pending) {
            apply(pending);
        }
        return now;
    }

    /**
     * Flushes now, or schedules a flush (replacing a pending one). Counts cmd_flush.
     *
     * @param atSeconds when to flush, Unix seconds; 0 or at or before now means now
     */
    void flushAll(long atSeconds) {
        counters.cmdFlush.increment();
        long now = clock.nowSeconds();
        long at = atSeconds <= 0 ? now : Math.min(atSeconds, Items.MAX_EXPIRES_AT);
        if (at <= now) {
            apply(0);
        } else {
            header.setPendingFlushAt(at);
        }
    }

    /**
     * Makes every item stored so far invisible: seals the open segments, so that later items
     * go to segments opened after the flush sequence number.
     *
     * @param pending the delayed flush being applied, or 0 for an immediate one
     */
    private void apply(long pending) {
        appender.lockAll();
        try {
            segmentLock.lock();
            try {
                if (pending != 0 && header.pendingFlushAt() != pending) {
                    return; // another thread or process applied it
                }
                appender.sealAll();
                policy.sealTarget();
                liveness.flushOpenedSegments();
                header.setPendingFlushAt(0L);
            } finally {
                segmentLock.unlock();
            }
        } finally {
            appender.unlockAll();
        }
    }
}
