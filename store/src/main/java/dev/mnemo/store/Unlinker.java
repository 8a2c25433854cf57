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
    /** Told of each eviction; null for none (the cost is this one read per evicted item). */
    private volatile EvictionListener evictionListener;
    /** The region as the listener sees it: it may read the key, never write the store. */
    private final MemorySegment readOnly;

    Unlinker(Region region, Index index, Segments segments, Counters counters) {
        this.region = region;
        this.memory = region.memory;
        this.index = index;
        this.segments = segments;
        this.counters = counters;
        this.readOnly = memory.asReadOnly();
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

    /** @param listener told of each item {@link #unlinkEvicted} evicts from now on; null for none */
    void setEvictionListener(EvictionListener listener) {
        evictionListener = listener;
    }

    /**
     * {@link #unlink} of a live item to make room, counted in evictions (and evicted_unfetched if
     * never read), and reported to the {@link EvictionListener} if there is one.
     *
     * @param now the time, Unix seconds
     */
    void unlinkEvicted(long ref, long item, long now) {
        counters.evictions.increment();
        boolean fetched = (Items.bits(memory, item) & Items.FETCHED) != 0;
        if (!fetched) {
            counters.evictedUnfetched.increment();
        }
        EvictionListener listener = evictionListener;
        if (listener != null) {
            report(listener, item, fetched, now);
        }
        unlink(ref, item);
    }

    /** Tells the listener of an item about to be unlinked (its bytes are intact until then). */
    private void report(EvictionListener listener, long item, boolean fetched, long now) {
        long exptime = Items.exptime(memory, item);
        long idle = now - Items.lastAccess(Items.lastAccess16(memory, item), now);
        try {
            listener.evicted(readOnly, Items.keyOffset(item), Items.keyLength(memory, item),
                    Items.valueLength(memory, item), fetched, exptime == 0 ? -1 : exptime - now, idle);
        } catch (RuntimeException dropped) {
            // the eviction must complete under its locks whatever the listener does (EvictionListener)
        }
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
