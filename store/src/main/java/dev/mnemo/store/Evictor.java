package dev.mnemo.store;

import java.lang.foreign.MemorySegment;

/**
 * Frees the store's memory (DESIGN.md store direction point 5): decides whether an item is
 * live (exptime, flush_all), unlinks items with their stats accounting, reclaims expired and
 * flushed items, and evicts by S3-FIFO over segments (Yang et al., "FIFO queues are all you
 * need for cache eviction", SOSP'23) as {@link Store}'s javadoc describes.
 *
 * <p>Thread-safety: {@link #liveness} and {@link #casOf} may be called from any thread;
 * {@link #unlink} and {@link #evictFromBuckets} under the buckets' full locks; everything
 * else under the store's segment lock, which also guards the segments' queues. Its state (the
 * eviction target, the segment budget, the flush sequence) is in the region's header, shared by
 * every process: whichever holds the segment lock evicts.
 */
final class Evictor {

    static final int LIVE = 0;
    static final int EXPIRED = 1;
    static final int FLUSHED = 2;

    /** {@link #evictSegment} found no sealed segment. */
    private static final int NOTHING_TO_EVICT = -1;
    /** {@link #evictSegment} compacted the victim's survivors within it. */
    private static final int COMPACTED = -2;

    private final Region region;
    private final MemorySegment memory;
    private final Index index;
    private final Segments segments;
    private final GhostTable ghosts;
    private final Counters counters;
    private final Clock clock;
    private final int processSlot;
    private final boolean casEnabled;
    /** Where the evictor compacts survivors within its victim, or -1; only during {@link #evictSegment}. */
    private long compactAt = -1;

    Evictor(Region region, Index index, Segments segments, Counters counters, Clock clock, int processSlot) {
        this.region = region;
        this.memory = region.memory;
        this.index = index;
        this.segments = segments;
        this.ghosts = new GhostTable(region);
        this.counters = counters;
        this.clock = clock;
        this.processSlot = processSlot;
        this.casEnabled = region.casEnabled();
    }

    /** @return the open segment the evictor moves surviving items into, or -1 */
    int evictionTarget() {
        return region.header.evictionTarget();
    }

    private void setEvictionTarget(int segment) {
        region.header.setEvictionTarget(segment);
    }

    /** @return how many segments may be in use (memory limit) */
    private int segmentBudget() {
        return region.header.segmentBudget();
    }

    /** @return the flush sequence: items in segments opened before it are flushed; 0 if none is left */
    long flushSequence() {
        return region.header.flushSequence();
    }

    private void setFlushSequence(long sequence) {
        region.header.setFlushSequence(sequence);
    }

    /**
     * Makes every item in a segment opened so far flushed. Call with the open segments of the
     * writer stripes already sealed.
     */
    void flush() {
        if (evictionTarget() >= 0) {
            segments.seal(evictionTarget(), Segments.MAIN);
            setEvictionTarget(-1);
        }
        setFlushSequence(segments.nextSequence());
    }

    /** Sets how many segments may be in use, evicting until no more are. */
    void setSegmentBudget(int budget) {
        region.header.setSegmentBudget(budget);
        for (long attempt = 0; attempt <= passBound() && segments.count - segments.freeCount() > segmentBudget();
                attempt++) {
            int victim = evictSegment();
            if (victim == NOTHING_TO_EVICT) {
                break;
            }
            if (victim >= 0) {
                segments.release(victim);
            }
        }
    }

    /**
     * @return whether the key is in the ghost table (forgetting it there): a new item for it is
     *         counted as read once, so that it moves to the main queue from the small one
     */
    boolean wasEvictedRecently(long hash) {
        return ghosts.remove(hash);
    }

    /** @return the item's CAS unique: its segment's base plus its delta */
    long casOf(long item) {
        return segments.casBase(region.segmentOf(item)) + Items.casDelta(memory, item);
    }

    /** @return whether the item's CAS unique is {@code casUnique}; never when CAS is disabled (memcached -C: every item's is 0) */
    boolean casMatches(long item, long casUnique) {
        return casEnabled && casOf(item) == casUnique;
    }

    /** @return {@link #LIVE}, {@link #EXPIRED} or {@link #FLUSHED}; safe without a lock (a racing reader validates after) */
    int liveness(long item, long now) {
        long flushed = flushSequence();
        if (flushed != 0 && segments.sequence(region.segmentOf(item)) < flushed) {
            return FLUSHED;
        }
        long expires = Items.exptime(memory, item);
        return expires != 0 && expires <= now ? EXPIRED : LIVE;
    }

    /** Empties a slot and accounts for its item; needs the bucket's full lock. */
    void unlink(long ref, long item) {
        index.setSlotAt(ref, 0);
        forget(item);
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

    /** Frees a slot when both buckets are full: an expired or flushed item if any, else the least-read one. */
    long evictFromBuckets(long first, long second, long now) {
        long victim = -1;
        int lowest = Integer.MAX_VALUE;
        for (int i = 0; i < 2 * Region.SLOTS_PER_BUCKET; i++) {
            long ref = Index.ref(i < Region.SLOTS_PER_BUCKET ? first : second, i % Region.SLOTS_PER_BUCKET);
            long item = Index.itemOf(index.slotAt(ref));
            if (item < region.segmentsOffset || item + Items.HEADER > memory.byteSize()) {
                throw new StoreCorruptedException("index slot points at region offset " + item + ", outside the segments");
            }
            if (liveness(item, now) != LIVE) {
                countReclaimed(item);
                unlink(ref, item);
                return ref;
            }
            int frequency = Items.frequency(Items.bits(memory, item));
            if (frequency < lowest) {
                lowest = frequency;
                victim = ref;
            }
        }
        long item = Index.itemOf(index.slotAt(victim));
        countEvicted(item);
        unlink(victim, item);
        return victim;
    }

    /** Counts an expired or flushed item unlinked (reclaimed, expired_unfetched). */
    private void countReclaimed(long item) {
        counters.reclaimed.increment();
        if ((Items.bits(memory, item) & Items.FETCHED) == 0) {
            counters.expiredUnfetched.increment();
        }
    }

    /** Counts a live item unlinked to make room (evictions, evicted_unfetched). */
    private void countEvicted(long item) {
        counters.evictions.increment();
        if ((Items.bits(memory, item) & Items.FETCHED) == 0) {
            counters.evictedUnfetched.increment();
        }
    }

    /** @return an open, empty segment for a writer stripe, evicting if needed, or -1 */
    int allocate() {
        if (flushSequence() != 0 && segments.oldestSequence() >= flushSequence()) {
            setFlushSequence(0); // no flushed item is left: reads can skip the check
        }
        for (long attempt = 0; attempt <= passBound(); attempt++) {
            if (segments.count - segments.freeCount() < segmentBudget()) {
                int s = segments.open(processSlot);
                if (s >= 0) {
                    return s;
                }
            }
            int victim = evictSegment();
            if (victim == NOTHING_TO_EVICT) {
                return -1;
            }
            if (victim >= 0) {
                segments.release(victim);
            }
        }
        return -1;
    }

    /**
     * @return the most segment evictions one allocation needs: each pass over the queues lowers
     *         every survivor's read counter or evicts it (a bound against a corrupt region)
     */
    private long passBound() {
        return (Items.MAX_FREQUENCY + 2L) * (segments.count + 1);
    }

    /** @return how many sealed segments the small queue may hold before it is evicted from */
    private int smallTarget() {
        return Math.max(1, segmentBudget() * 3 / 20);
    }

    /**
     * Empties one sealed segment: one with no linked items if there is one, else the oldest of
     * the small queue (when it is over its share) or of the main queue. Surviving items move
     * to the eviction target segment; when no free segment can become the target, they are
     * compacted to the front of the victim itself (every byte before an item being scanned is
     * dead, so a move never overwrites a linked item), and the victim becomes the target.
     *
     * @return the emptied segment, open; {@link #COMPACTED} if the victim kept survivors;
     *         {@link #NOTHING_TO_EVICT} if no segment is sealed
     */
    private int evictSegment() {
        int victim = segments.findEmpty(); // walked all the same: its count of linked items is a hint
        byte queue;
        if (victim >= 0) {
            queue = segments.state(victim);
        } else {
            queue = segments.queued(Segments.SMALL) > smallTarget() || segments.queued(Segments.MAIN) == 0
                    ? Segments.SMALL : Segments.MAIN;
            if (segments.queued(queue) == 0) {
                return -1;
            }
            victim = segments.head(queue);
            if (victim < 0) {
                throw new StoreCorruptedException("segment queue " + queue + " counts "
                        + segments.queued(queue) + " segments but has no head");
            }
        }
        segments.unqueue(victim, processSlot);
        long now = clock.nowSeconds();
        long base = region.segmentBase(victim);
        long end = base + segments.used(victim);
        compactAt = -1;
        for (long item = base; item < end; ) {
            long size = chainedSize(item, end, victim);
            if ((Items.bits(memory, item) & Items.UNLINKED) != 0) {
                item += size;
                continue;
            }
            long hash = KeyHash.hash(memory, Items.keyOffset(item), Items.keyLength(memory, item));
            long first = index.bucketOf(hash);
            long second = index.secondBucketOf(hash);
            if (isLinked(first, second, item)) {
                index.lock(first, second);
                try {
                    long ref = index.refOfItem(first, second, item);
                    if (ref >= 0) {
                        evictItem(queue, ref, item, size, hash, now, base);
                    }
                } finally {
                    index.unlock(first, second);
                }
            }
            item += size;
        }
        if (compactAt >= 0) {
            segments.setUsed(victim, compactAt - base);
            segments.setOwner(victim, Segments.EVICTOR);
            setEvictionTarget(victim);
            return COMPACTED;
        }
        return victim;
    }

    /**
     * Whether a slot points to the item, read without locking but validated as a seqlock read
     * of both buckets: a relocation can move a slot between them while a single pass over the
     * two looks, and a linked item taken for dead would have its memory reused under it.
     */
    private boolean isLinked(long first, long second, long item) {
        for (;;) {
            int v1 = index.beginRead(first);
            int v2 = index.beginRead(second);
            boolean linked = index.refOfItem(first, second, item) >= 0;
            if (index.validate(first, v1, second, v2)) {
                return linked;
            }
        }
    }

    /** Drops, reclaims or moves one linked item of a segment being evicted; needs its buckets' full locks. */
    private void evictItem(byte queue, long ref, long item, long size, long hash, long now, long victimBase) {
        if (liveness(item, now) != LIVE) {
            countReclaimed(item);
            unlink(ref, item);
            return;
        }
        int bits = Items.bits(memory, item);
        int frequency = Items.frequency(bits);
        if (frequency > 0) {
            long cas = casOf(item);
            long moved = compactAt >= 0 ? -1 : reserveEvictionTarget(size, cas);
            if (moved < 0) {
                if (compactAt < 0) {
                    compactAt = victimBase;
                    // Should this process die while compacting, the victim's valid items end
                    // where its compacted prefix does: the reclaim unlinks the rest.
                    segments.setUsed(region.segmentOf(victimBase), 0);
                }
                moved = compactAt;
                compactAt += size;
            }
            if (moved != item) {
                MemorySegment.copy(memory, item, memory, moved, size);
            }
            int kept = queue == Segments.SMALL ? 0 : frequency - 1;
            Items.setBits(memory, moved, Items.withFrequency(bits, kept));
            int movedSegment = region.segmentOf(moved);
            Items.setCasDelta(memory, moved, segments.casDelta(movedSegment, cas));
            segments.setUsed(movedSegment, moved + size - region.segmentBase(movedSegment)); // complete before linked
            index.setSlotAt(ref, Index.slotValue(Index.tagOf(hash), moved));
            segments.addLiveItems(region.segmentOf(item), -1);
            segments.addLiveItems(movedSegment, 1);
            return;
        }
        countEvicted(item);
        unlink(ref, item);
        if (queue == Segments.SMALL) {
            ghosts.add(hash);
        }
    }

    /**
     * @param cas the surviving item's CAS unique, which the target's CAS range must hold
     * @return space for a surviving item in the eviction target segment, or -1 if none can be had
     */
    private long reserveEvictionTarget(long size, long cas) {
        int target = evictionTarget();
        if (target < 0 || segments.used(target) + size > region.segmentSize || !segments.admitsCas(target, cas)) {
            if (target >= 0) {
                segments.seal(target, Segments.MAIN);
                setEvictionTarget(-1);
            }
            target = segments.count - segments.freeCount() < segmentBudget() ? segments.open(Segments.EVICTOR) : -1;
            if (target < 0) {
                return -1;
            }
            segments.setCasBase(target, cas);
            setEvictionTarget(target);
        }
        return region.segmentBase(target) + segments.used(target); // the caller advances used once the item is copied
    }

    /**
     * @return the size of the item at {@code item} in a segment's chain that ends at {@code end}
     * @throws StoreCorruptedException if its lengths are corrupt
     */
    private long chainedSize(long item, long end, int segment) {
        long size = Items.checkedSize(memory, item, end, region.maxItemSize);
        if (size < 0) {
            throw new StoreCorruptedException("corrupt item at region offset " + item + " in segment " + segment);
        }
        return size;
    }

    /**
     * @return whether every item in the segment's chain is marked unlinked: then no slot points
     *         into it and it can be freed without a walk of the index
     */
    boolean allUnlinked(int segment) {
        long base = region.segmentBase(segment);
        long end = base + segments.used(segment);
        for (long item = base; item < end; ) {
            long size = chainedSize(item, end, segment);
            if ((Items.bits(memory, item) & Items.UNLINKED) == 0) {
                return false;
            }
            item += size;
        }
        return true;
    }

    /** Unlinks the expired and flushed items of a sealed segment; @return how many */
    int reclaimDead(int segment, long now) {
        int count = 0;
        long base = region.segmentBase(segment);
        long end = base + segments.used(segment);
        for (long item = base; item < end; ) {
            long size = chainedSize(item, end, segment);
            if ((Items.bits(memory, item) & Items.UNLINKED) == 0 && liveness(item, now) != LIVE) {
                long hash = KeyHash.hash(memory, Items.keyOffset(item), Items.keyLength(memory, item));
                long first = index.bucketOf(hash);
                long second = index.secondBucketOf(hash);
                if (isLinked(first, second, item)) {
                    index.lock(first, second);
                    try {
                        long ref = index.refOfItem(first, second, item);
                        if (ref >= 0) {
                            countReclaimed(item);
                            unlink(ref, item);
                            count++;
                        }
                    } finally {
                        index.unlock(first, second);
                    }
                }
            }
            item += size;
        }
        return count;
    }
}
