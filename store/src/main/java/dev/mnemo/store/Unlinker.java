package dev.mnemo.store;

import java.lang.foreign.MemorySegment;

/**
 * Takes items out of the index with their accounting: empties the slot, updates curr_items,
 * bytes and the segment's linked-item count, counts why (a delete, a reclaimed dead item, an
 * eviction), and marks the item unlinked last. Call under the item's buckets' full locks.
 * Thread-safe under that rule.
 */
final class Unlinker {

    private final Region region;
    private final MemorySegment memory;
    private final Index index;
    private final Segments segments;
    private final Counters counters;

    Unlinker(Region region, Index index, Segments segments, Counters counters) {
        this.region = region;
        this.memory = region.memory;
        this.index = index;
        this.segments = segments;
        this.counters = counters;
    }

    /** Empties the slot {@code ref} that links {@code item} and accounts for the item; needs the bucket's full lock. */
    void unlink(long ref, long item) {
        index.setSlotAt(ref, 0);
        forget(item);
    }

    /** {@link #unlink} of an expired or flushed item, counted as reclaimed (and expired_unfetched if never read). */
    void unlinkReclaimed(long ref, long item) {
        counters.reclaimed.increment();
        if ((Items.bits(memory, item) & Items.FETCHED) == 0) {
            counters.expiredUnfetched.increment();
        }
        unlink(ref, item);
    }

    /** {@link #unlink} of a live item to make room, counted in evictions (and evicted_unfetched if never read). */
    void unlinkEvicted(long ref, long item) {
        counters.evictions.increment();
        if ((Items.bits(memory, item) & Items.FETCHED) == 0) {
            counters.evictedUnfetched.increment();
        }
        unlink(ref, item);
    }

    /**
     * Takes an item out of the counts, then marks it unlinked; needs the bucket's full lock.
     * The mark comes last: once it is set, an evictor scanning the item's segment skips the item
     * without waiting for its bucket lock and may free and reuse the segment, so nothing may read
     * the item after it (reading the lengths after it once took a reused header's bytes as the
     * size: ConcurrencyStressTest's bytes check).
     */
    private void forget(long item) {
        counters.bytes.add(-Items.size(Items.keyLength(memory, item), Items.valueLength(memory, item)));
        counters.currItems.decrement();
        segments.addLiveItems(region.segmentOf(item), -1);
        Items.setBits(memory, item, Items.bits(memory, item) | Items.UNLINKED);
    }
}
