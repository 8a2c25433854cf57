package dev.mnemo.store;

import java.lang.foreign.MemorySegment;

/**
 * Reclaims expired and flushed items proactively ({@link Store#sweepExpired}): scans sealed
 * segments round the region from a cursor in the region's header, unlinks their dead items
 * (counting reclaimed and expired_unfetched), and frees segments left with no items, so that
 * memory held by dead items is reused before live items are evicted. Serialises with segment
 * allocation on the segment lock; readers are not blocked. Thread-safe.
 */
final class Sweeper {

    private final Region region;
    private final MemorySegment memory;
    private final Index index;
    private final Segments segments;
    private final Liveness liveness;
    private final Unlinker unlinker;
    private final ProcessTable processes;
    private final SegmentLock segmentLock;

    Sweeper(Region region, Index index, Segments segments, Liveness liveness, Unlinker unlinker,
            ProcessTable processes, SegmentLock segmentLock) {
        this.region = region;
        this.memory = region.memory;
        this.index = index;
        this.segments = segments;
        this.liveness = liveness;
        this.unlinker = unlinker;
        this.processes = processes;
        this.segmentLock = segmentLock;
    }

    /**
     * @param maxSegments the most sealed segments to scan, 1 or more
     * @param now         the time, Unix seconds
     * @return the number of items reclaimed
     * @throws IllegalArgumentException if maxSegments is below 1
     */
    int sweep(int maxSegments, long now) {
        if (maxSegments < 1) {
            throw new IllegalArgumentException("maxSegments must be at least 1, was " + maxSegments);
        }
        processes.markDead(); // reclaims what processes that died holding no lock had open
        segmentLock.lock();
        try {
            return sweepLocked(maxSegments, now);
        } finally {
            segmentLock.unlock();
        }
    }

    private int sweepLocked(int maxSegments, long now) {
        int reclaimedItems = 0;
        int scanned = 0;
        for (int visited = 0; visited < segments.count && scanned < maxSegments; visited++) {
            int s = Math.floorMod(region.header.sweepCursor(), segments.count);
            region.header.setSweepCursor((s + 1) % segments.count);
            byte state = segments.state(s);
            if (state != Segments.SMALL && state != Segments.MAIN) {
                continue;
            }
            scanned++;
            reclaimedItems += reclaimDead(s, now);
            releaseIfEmpty(s);
        }
        return reclaimedItems;
    }

    /**
     * Sweeps the oldest sealed segment of each queue, where items stored with like TTLs expire
     * first, and frees it if it is left empty: the allocator calls it, holding the segment lock,
     * so that memory held by expired items is reused before a free segment is taken.
     *
     * @param now the time, Unix seconds
     * @return whether a segment was freed
     */
    boolean reclaimOldest(long now) {
        boolean freed = false;
        for (byte queue : new byte[] {Segments.SMALL, Segments.MAIN}) {
            int s = segments.head(queue);
            if (s >= 0) {
                reclaimDead(s, now);
                freed |= releaseIfEmpty(s);
            }
        }
        return freed;
    }

    private boolean releaseIfEmpty(int s) {
        if (segments.liveItems(s) <= 0 && allUnlinked(s)) {
            segments.unqueue(s, processes.slot());
            segments.release(s);
            return true;
        }
        return false;
    }

    /**
     * @return whether every item in the segment's chain is marked unlinked: then no slot points
     *         into it and it can be freed without a walk of the index
     */
    private boolean allUnlinked(int segment) {
        long base = region.segmentBase(segment);
        long end = base + segments.used(segment);
        for (long item = base; item < end; ) {
            long size = segments.chainedItemSize(item, end, segment);
            if ((Items.bits(memory, item) & Items.UNLINKED) == 0) {
                return false;
            }
            item += size;
        }
        return true;
    }

    /** Unlinks the expired and flushed items of a sealed segment; @return how many */
    private int reclaimDead(int segment, long now) {
        int count = 0;
        long base = region.segmentBase(segment);
        long end = base + segments.used(segment);
        for (long item = base; item < end; ) {
            long size = segments.chainedItemSize(item, end, segment);
            if ((Items.bits(memory, item) & Items.UNLINKED) == 0 && liveness.of(item, now) != Liveness.LIVE) {
                long hash = KeyHash.hash(memory, Items.keyOffset(item), Items.keyLength(memory, item));
                long ref = index.lockLinked(hash, item);
                if (ref >= 0) {
                    try {
                        unlinker.unlinkReclaimed(ref, item);
                        count++;
                    } finally {
                        index.unlockKey(hash);
                    }
                }
            }
            item += size;
        }
        return count;
    }
}
