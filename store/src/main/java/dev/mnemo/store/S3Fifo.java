package dev.mnemo.store;

import java.lang.foreign.MemorySegment;

/**
 * The eviction policy: S3-FIFO over segments (Yang et al., "FIFO queues are all you need for
 * cache eviction", SOSP'23; DESIGN.md store direction point 5). New items enter a small FIFO
 * (about 15% of the segments: the paper's 10% and our former 20% both missed more on our
 * traces); when its oldest segment is evicted, items whose 3-bit read counter is above 0 move
 * to the main FIFO and the others are dropped, their key hashes remembered in the
 * {@link GhostTable}; an item stored for a key found there starts with its counter at 1, so it
 * moves to main at its small segment's eviction (the paper sends it to main at once: that kept
 * a second open segment per writer and missed more on 27 of our 35 trace rows); main's oldest
 * segment is evicted reinserting items whose counter is above 0, decrementing it. Expired and
 * flushed items found on the way are reclaimed, not counted as evictions, and segments whose
 * items are all gone are reused first. When both of a key's buckets are full and no item can
 * move, the least-read item of the two is evicted ({@link #evictFromBuckets}).
 *
 * <p>Thread-safety: {@link #evictFromBuckets} under the buckets' full locks,
 * {@link #wasEvictedRecently} from any thread, everything else under the segment lock. Its
 * state (the eviction target segment, the queues) is in the region, shared by every process:
 * whichever holds the segment lock evicts.
 */
final class S3Fifo {

    /** {@link #evictSegment} found no sealed segment. */
    static final int NOTHING_TO_EVICT = -1;
    /** {@link #evictSegment} compacted the victim's survivors within it. */
    static final int COMPACTED = -2;

    private final Region region;
    private final MemorySegment memory;
    private final RegionHeader header;
    private final Index index;
    private final Segments segments;
    private final GhostTable ghosts;
    private final Liveness liveness;
    private final Unlinker unlinker;
    private final Clock clock;
    private final int processSlot;
    /** Where the evictor compacts survivors within its victim, or -1; only during {@link #evictSegment}. */
    private long compactAt = -1;

    S3Fifo(Region region, Index index, Segments segments, Liveness liveness, Unlinker unlinker, Clock clock,
           int processSlot) {
        this.region = region;
        this.memory = region.memory;
        this.header = region.header;
        this.index = index;
        this.segments = segments;
        this.ghosts = new GhostTable(region);
        this.liveness = liveness;
        this.unlinker = unlinker;
        this.clock = clock;
        this.processSlot = processSlot;
    }

    /**
     * @return whether the key is in the ghost table (forgetting it there): a new item for it is
     *         counted as read once, so that it moves to the main queue from the small one
     */
    boolean wasEvictedRecently(long hash) {
        return ghosts.remove(hash);
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
            if (liveness.of(item, now) != Liveness.LIVE) {
                unlinker.unlinkReclaimed(ref, item);
                return ref;
            }
            int frequency = Items.frequency(Items.bits(memory, item));
            if (frequency < lowest) {
                lowest = frequency;
                victim = ref;
            }
        }
        unlinker.unlinkEvicted(victim, Index.itemOf(index.slotAt(victim)), now);
        return victim;
    }

    /** Seals the eviction target, if any, into the main queue (a flush_all: it holds items stored before it). */
    void sealTarget() {
        int target = header.evictionTarget();
        if (target >= 0) {
            segments.seal(target, Segments.MAIN);
            header.setEvictionTarget(-1);
        }
    }

    /** @return how many sealed segments the small queue may hold before it is evicted from */
    private int smallTarget() {
        return Math.max(1, header.segmentBudget() * 3 / 20);
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
    int evictSegment() {
        int victim = segments.findEmpty(); // walked all the same: its count of linked items is a hint
        byte queue;
        if (victim >= 0) {
            queue = segments.state(victim);
        } else {
            queue = segments.queued(Segments.SMALL) > smallTarget() || segments.queued(Segments.MAIN) == 0
                    ? Segments.SMALL : Segments.MAIN;
            if (segments.queued(queue) == 0) {
                return NOTHING_TO_EVICT;
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
            long size = segments.chainedItemSize(item, end, victim);
            if ((Items.bits(memory, item) & Items.UNLINKED) != 0) {
                item += size;
                continue;
            }
            long hash = KeyHash.hash(memory, Items.keyOffset(item), Items.keyLength(memory, item));
            long ref = index.lockLinked(hash, item);
            if (ref >= 0) {
                try {
                    evictItem(queue, ref, item, size, hash, now, base);
                } finally {
                    index.unlockKey(hash);
                }
            }
            item += size;
        }
        if (compactAt >= 0) {
            segments.setUsed(victim, compactAt - base);
            segments.setOwner(victim, Segments.EVICTOR);
            header.setEvictionTarget(victim);
            return COMPACTED;
        }
        return victim;
    }

    /** Drops, reclaims or moves one linked item of a segment being evicted; needs its buckets' full locks. */
    private void evictItem(byte queue, long ref, long item, long size, long hash, long now, long victimBase) {
        if (liveness.of(item, now) != Liveness.LIVE) {
            unlinker.unlinkReclaimed(ref, item);
            return;
        }
        int bits = Items.bits(memory, item);
        int frequency = Items.frequency(bits);
        if (frequency > 0) {
            long cas = liveness.casOf(item);
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
        unlinker.unlinkEvicted(ref, item, now);
        if (queue == Segments.SMALL) {
            ghosts.add(hash);
        }
    }

    /**
     * @param cas the surviving item's CAS unique, which the target's CAS range must hold
     * @return space for a surviving item in the eviction target segment, or -1 if none can be had
     */
    private long reserveEvictionTarget(long size, long cas) {
        int target = header.evictionTarget();
        if (target < 0 || segments.used(target) + size > region.segmentSize || !segments.admitsCas(target, cas)) {
            if (target >= 0) {
                segments.seal(target, Segments.MAIN);
                header.setEvictionTarget(-1);
            }
            target = segments.belowBudget() ? segments.open(Segments.EVICTOR) : -1;
            if (target < 0) {
                return -1;
            }
            segments.setCasBase(target, cas);
            header.setEvictionTarget(target);
        }
        return region.segmentBase(target) + segments.used(target); // the caller advances used once the item is copied
    }
}
