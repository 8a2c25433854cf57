package dev.mnemo.store;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Puts a region back in order after processes died in it (issue 7, "Crash safety").
 *
 * <p>{@link #rebuild} runs when a store opens an existing file that no other live process
 * uses (a warm restart, after a clean close or a SIGKILL): it frees every bucket lock, ends each
 * segment's chain before an item with impossible lengths, removes index slots that do not
 * point at a complete item of a segment in use, seals open segments, relinks
 * the queues and recounts the linked items, curr_items and bytes. It also drops every linked
 * item whose checksum does not match its bytes ({@link ItemChecksum}: the file was damaged
 * while no process had it open), counted in badcrc_from_memory_file. The other counters start
 * from zero, as memcached's do after a restart.
 *
 * <p>{@link #reclaim} runs under the segment lock while other processes keep working, for
 * processes found dead (a waiter found one holding a lock, or the periodic check did): it
 * breaks the locks they held, unlinks items beyond the complete part of the segments they had
 * open (a compaction in progress keeps only its compacted prefix), seals those segments so
 * that eviction reuses them, recounts the linked items, curr_items and bytes (see
 * {@link #recount}), and frees their process-table slots.
 *
 * <p>Not thread-safe: callers serialise (open, or the segment lock).
 */
final class Recovery {

    private final Region region;
    private final MemorySegment memory;
    private final Index index;
    private final Segments segments;
    private final Counters counters;
    private final ProcessTable processes;

    Recovery(Region region, Index index, Segments segments, Counters counters, ProcessTable processes) {
        this.region = region;
        this.memory = region.memory;
        this.index = index;
        this.segments = segments;
        this.counters = counters;
        this.processes = processes;
    }

    /**
     * Puts an existing region in order as a store starts using it: {@link #rebuild} if this
     * process opened it (not attaching) and no other live process used it then (a warm
     * restart; the store decides, {@code Store.rebuilds}); otherwise reclaims what dead
     * processes held, as the segment lock does.
     *
     * @param segmentLock this store's segment lock (taken over from a dead holder after a wait if need be)
     * @param rebuild     whether to rebuild: opened, not attached, and no other process was live
     */
    void putInOrder(SegmentLock segmentLock, boolean rebuild) {
        if (rebuild) {
            segmentLock.acquire();
            try {
                rebuild(); // a warm restart: nothing else uses the region
            } finally {
                segmentLock.unlock();
            }
        } else {
            processes.markDead();
            segmentLock.lock();
            segmentLock.unlock();
        }
    }

    /**
     * Rebuilds the shared state of a region no other process was using when this one opened
     * it; call holding the segment lock, so that a process attaching meanwhile waits for the
     * end. Bounded: one pass over the index and a few over the segment metadata.
     *
     * @throws StoreCorruptedException if the segment metadata is beyond repair
     */
    void rebuild() {
        for (int s = 0; s < ProcessTable.SLOTS; s++) {
            long pid = processes.pidOf(s);
            if (pid != 0 && !processes.isLive(s)) {
                processes.free(s, pid);
            }
        }
        processes.takeReclaimMask();
        for (int s = 0; s < segments.count; s++) {
            if (segments.state(s) != Segments.FREE) { // checks every state
                endChainAtDamage(s);
            }
        }
        index.unlockExpansion();
        for (long b = 0; b < index.bucketsBegun(); b++) {
            index.resetLock(b);
            index.repair(b);
        }
        long damaged = countLinked(new ItemChecksum(region));
        region.header.setEvictionTarget(-1);
        segments.sealAllOpen();
        segments.rebuildQueues();
        counters.reset(); // the counts; curr_items and bytes, just counted, are gauges it keeps
        counters.badcrc.set(damaged);
    }

    /**
     * Ends a segment's chain of items before the first item whose lengths are impossible (the
     * file was damaged), so that the expiry sweep and the evictor, which walk the chain, never
     * meet it and fail; the index pass that follows unlinks the items from there on, as lying
     * beyond the segment's end.
     */
    private void endChainAtDamage(int segment) {
        long base = region.segmentBase(segment);
        long end = base + segments.used(segment);
        for (long item = base; item < end; ) {
            long size = Items.checkedSize(memory, item, end, region.maxItemSize);
            if (size < 0) {
                segments.setUsed(segment, item - base);
                return;
            }
            item += size;
        }
    }

    /**
     * @param bucket   the bucket whose slot points at the item
     * @param validEnd for a segment being truncated, the end of its valid items (region offset); -1 otherwise
     * @return the item's size if it is a complete item of a segment in use, filed under this bucket; else -1
     */
    private long completeItemSize(long bucket, long item, long validEnd) {
        return completeItemSize(bucket, item, validEnd, null);
    }

    /**
     * As {@link #completeItemSize(long, long, long)}, and with a checksum, -2 if the item is
     * complete but its checksum does not match its bytes.
     */
    private long completeItemSize(long bucket, long item, long validEnd, ItemChecksum checksum) {
        if (item < region.segmentsOffset || item + Items.HEADER >= memory.byteSize()) {
            return -1;
        }
        int segment = region.segmentOf(item);
        if (segments.state(segment) == Segments.FREE) {
            return -1;
        }
        long end = validEnd >= 0 ? validEnd : region.segmentBase(segment) + segments.used(segment);
        long size = Items.checkedSize(memory, item, end, region.maxItemSize);
        if (size < 0) {
            return -1;
        }
        if (checksum != null && !checksum.matches(item, Items.keyLength(memory, item), Items.valueLength(memory, item))) {
            return -2;
        }
        long hash = KeyHash.hash(memory, Items.keyOffset(item), Items.keyLength(memory, item));
        if (!index.isBucketOf(hash, bucket)) {
            return -1;
        }
        return size;
    }

    /**
     * Reclaims what dead processes held; call holding the segment lock and no bucket lock.
     *
     * @param mask      the process slots found dead (bits)
     * @param takenOver whether the segment lock was taken from a dead holder: the queues are relinked
     */
    void reclaim(long mask, boolean takenOver) {
        long dead = 0;
        long[] deadPids = new long[ProcessTable.SLOTS];
        for (int s = 0; s < ProcessTable.SLOTS; s++) {
            long pid = processes.pidOf(s);
            // A slot freed meanwhile (pid 0) may be taken by a registering process at any moment: not ours to free.
            if ((mask & 1L << s) != 0 && pid != 0 && s != processes.slot() && !processes.isLive(s)) {
                dead |= 1L << s;
                deadPids[s] = pid;
            }
        }
        int target = region.header.evictionTarget();
        if (target >= segments.count || target >= 0 && segments.state(target) != Segments.OPEN) {
            region.header.setEvictionTarget(-1);
            target = -1;
        }
        long[] validEnd = new long[segments.count];
        Arrays.fill(validEnd, -1);
        boolean any = false;
        for (int s = 0; s < segments.count; s++) {
            if (segments.state(s) != Segments.OPEN) {
                continue;
            }
            int owner = segments.owner(s);
            boolean orphan = owner == Segments.EVICTOR ? takenOver && s != target
                    : owner < 0 || owner >= ProcessTable.SLOTS || (dead & 1L << owner) != 0;
            if (orphan) {
                validEnd[s] = region.segmentBase(s) + segments.used(s);
                any = true;
            }
        }
        if (dead != 0 || any) {
            sweepIndex(dead, validEnd);
        }
        for (int s = 0; s < segments.count; s++) {
            if (validEnd[s] >= 0) {
                segments.seal(s, Segments.MAIN);
            }
        }
        if (takenOver) {
            segments.rebuildQueues();
        }
        if (dead != 0 || any || takenOver) {
            recount();
        }
        for (int s = 0; s < ProcessTable.SLOTS; s++) {
            if ((dead & 1L << s) != 0) {
                processes.free(s, deadPids[s]);
            }
        }
    }

    /**
     * Recounts each segment's linked items, curr_items and bytes, which a process that died
     * between linking or unlinking an item and counting it left off by one. Every count changes
     * only under a bucket's full lock, so with the expansion lock and all of them held (taken in
     * ascending order, as writers take theirs) the index is still and the counts exact. Readers
     * are delayed, not blocked for good: this takes about a millisecond per 4 MiB of index in use.
     */
    private void recount() {
        index.lockExpansion();
        try {
            long buckets = index.bucketsBegun();
            for (long b = 0; b < buckets; b++) {
                index.lock(b);
            }
            try {
                countLinked(null);
            } finally {
                for (long b = 0; b < buckets; b++) {
                    index.unlock(b);
                }
            }
        } finally {
            index.unlockExpansion();
        }
    }

    /**
     * Walks the index and sets each segment's linked-item count, curr_items and bytes from the
     * complete items it links, clearing slots that point at anything else. Call with the index
     * still: every bucket locked, or no other process attached.
     *
     * @param checksum if not null, complete items whose checksum does not match are unlinked too
     * @return how many items were unlinked for their checksum
     */
    private long countLinked(ItemChecksum checksum) {
        long damaged = 0;
        long[] live = new long[segments.count];
        long items = 0;
        long bytes = 0;
        for (long b = 0; b < index.bucketsBegun(); b++) {
            for (int i = 0; i < Region.SLOTS_PER_BUCKET; i++) {
                long item = Index.itemOf(index.slot(b, i));
                if (item == 0) {
                    continue;
                }
                long size = completeItemSize(b, item, -1, checksum);
                if (size < 0) {
                    index.setSlot(b, i, 0);
                    if (size == -2) {
                        damaged++;
                        Items.setBits(memory, item, Items.bits(memory, item) | Items.UNLINKED);
                    }
                    continue;
                }
                live[region.segmentOf(item)]++;
                items++;
                bytes += size;
            }
        }
        for (int s = 0; s < segments.count; s++) {
            segments.setLiveItems(s, (int) live[s]);
        }
        counters.currItems.set(items);
        counters.bytes.set(bytes);
        return damaged;
    }

    /**
     * One pass over the index: breaks bucket locks the dead processes hold, and unlinks items
     * lying beyond the valid end of a segment being truncated.
     */
    private void sweepIndex(long dead, long[] validEnd) {
        for (long b = 0; b < index.bucketsBegun(); b++) {
            long w = index.lockWord(b);
            int holder = ProcessTable.slotOfOwner(w >>> 32);
            if (holder >= 0 && (dead & 1L << holder) != 0) {
                index.breakIfDead(b, w);
            }
            for (int i = 0; i < Region.SLOTS_PER_BUCKET; i++) {
                long item = Index.itemOf(index.slot(b, i));
                if (item < region.segmentsOffset || item >= memory.byteSize()
                        || validEnd[region.segmentOf(item)] < 0) {
                    continue;
                }
                index.lock(b);
                try {
                    long value = index.slot(b, i);
                    if (Index.itemOf(value) == item) {
                        long size = completeItemSize(b, item, validEnd[region.segmentOf(item)]);
                        if (size < 0) {
                            index.setSlot(b, i, 0);
                            segments.addLiveItems(region.segmentOf(item), -1);
                            counters.currItems.decrement();
                            int keyLength = Items.keyLength(memory, item);
                            int valueLength = Items.valueLength(memory, item);
                            if (keyLength > 0 && valueLength >= 0 && valueLength <= region.maxItemSize) {
                                counters.bytes.add(-Items.size(keyLength, valueLength)); // as it was linked
                            }
                        }
                    }
                } finally {
                    index.unlock(b);
                }
            }
        }
    }
}
