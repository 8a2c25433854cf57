package dev.mnemo.store;

/**
 * Hands out empty segments within the memory limit in force: takes one from the free list
 * while fewer than the segment budget are in use (after sweeping the oldest sealed segment of each
 * queue, so that a segment of expired items is reused before a new one is taken), otherwise has the {@link S3Fifo} policy
 * empty one; and changes the budget at run time (memcached's cache_memlimit), evicting down to
 * it. The free list and the budget are in the region, shared by every process. Call under the
 * segment lock, except {@link #setMemoryLimit}, which takes it.
 */
final class SegmentAllocator {

    private final Region region;
    private final Segments segments;
    private final Liveness liveness;
    private final S3Fifo policy;
    private final SegmentLock segmentLock;
    private final int processSlot;
    private final Sweeper sweeper;
    private final Clock clock;

    SegmentAllocator(Region region, Segments segments, Liveness liveness, S3Fifo policy, SegmentLock segmentLock,
                     int processSlot, Sweeper sweeper, Clock clock) {
        this.region = region;
        this.segments = segments;
        this.liveness = liveness;
        this.policy = policy;
        this.segmentLock = segmentLock;
        this.processSlot = processSlot;
        this.sweeper = sweeper;
        this.clock = clock;
    }

    /** @return an open, empty segment for a writer stripe of this process, evicting if needed, or -1 */
    int allocate() {
        liveness.forgetFinishedFlush();
        for (long attempt = 0; attempt <= passBound(); attempt++) {
            if (segments.belowBudget()) {
                if (attempt == 0) {
                    // memcached reuses an expired item's memory before it takes a new page: the
                    // oldest segments' dead items are reclaimed first, and a segment left empty freed
                    sweeper.reclaimOldest(clock.nowSeconds());
                }
                int s = segments.open(processSlot);
                if (s >= 0) {
                    return s;
                }
            }
            if (!evictOne()) {
                return -1;
            }
        }
        return -1;
    }

    /**
     * Changes the memory limit ({@link Store#setMemoryLimit}): sets the segment budget and the
     * limit shown in stats, evicting until no more segments than the budget are in use.
     *
     * @param bytes the new limit in bytes, capped to the limit the store was opened with
     * @throws IllegalArgumentException if below the index plus the fewest segments the store works with
     */
    void setMemoryLimit(long bytes) {
        long capped = Math.min(bytes, region.memoryLimit);
        long bounded = region.segmentsOffset - region.indexOffset; // index and ghost table: the limit bounds them and the segments
        long budget = (capped - bounded) / region.segmentSize;
        int minimum = Appender.minimumSegments(region);
        if (budget < minimum) {
            throw new IllegalArgumentException("memory limit of " + bytes + " bytes is below the minimum of "
                    + (bounded + minimum * region.segmentSize) + " bytes for this store");
        }
        segmentLock.lock();
        try {
            region.header.setMemoryLimitNow(capped);
            region.header.setSegmentBudget((int) Math.min(budget, region.segmentCount));
            for (long attempt = 0; attempt <= passBound() && inUseOverBudget(); attempt++) {
                if (!evictOne()) {
                    break;
                }
            }
        } finally {
            segmentLock.unlock();
        }
    }

    private boolean inUseOverBudget() {
        return segments.count - segments.freeCount() > region.header.segmentBudget();
    }

    /** Has the policy empty one segment and frees it. @return false if nothing was left to evict */
    private boolean evictOne() {
        int victim = policy.evictSegment();
        if (victim == S3Fifo.NOTHING_TO_EVICT) {
            return false;
        }
        if (victim >= 0) {
            segments.release(victim);
        }
        return true;
    }

    /**
     * @return the most segment evictions one allocation needs: each pass over the queues lowers
     *         every survivor's read counter or evicts it (a bound against a corrupt region)
     */
    private long passBound() {
        return (Items.MAX_FREQUENCY + 2L) * (segments.count + 1);
    }
}
