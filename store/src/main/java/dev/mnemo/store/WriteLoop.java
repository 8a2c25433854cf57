package dev.mnemo.store;

import java.lang.foreign.MemorySegment;

/**
 * The store's one optimistic write loop, which every write runs its {@link Mutation} through:
 * read both of the key's bucket versions, find the key's item, check its lengths, let the
 * mutation decide, append the new item to a stripe's segment and write it, then lock the
 * buckets if neither changed and publish the item with one slot write; retry from the start
 * if a writer raced it (the appended copy is abandoned, reclaimed with its segment).
 *
 * <p>Crash safety: the item's bytes are complete, with their checksum, and committed to its
 * segment's chain before the slot write makes it visible, and the item it replaces is marked unlinked last (see
 * {@link Unlinker}). Lock order: the stripe lock, then the key's buckets (lower first).
 * Thread-safe.
 */
final class WriteLoop {

    /**
     * An insert that leaves its key's first bucket with this many free slots or fewer splits a
     * bucket: the index then holds about 3.5 items per bucket of 7 slots, half full
     * (IndexExpansionTest), and few keys need their second bucket.
     */
    private static final int EXPANSION_FREE_SLOTS = 1;

    private final Region region;
    private final MemorySegment memory;
    private final Index index;
    private final Segments segments;
    private final Liveness liveness;
    private final S3Fifo policy;
    private final Counters counters;
    private final Appender appender;

    WriteLoop(Region region, Index index, Segments segments, Liveness liveness, S3Fifo policy, Counters counters,
              Appender appender) {
        this.region = region;
        this.memory = region.memory;
        this.index = index;
        this.segments = segments;
        this.liveness = liveness;
        this.policy = policy;
        this.counters = counters;
        this.appender = appender;
    }

    /**
     * Runs a mutation, taking a stripe for each attempt and giving the new item the mutation's
     * explicit CAS unique or the stripe's next one.
     *
     * @return {@link WriteResult#STORED}, the mutation's refusal, or {@link WriteResult#OUT_OF_MEMORY}
     *         (counted as store_no_memory) if no segment could be freed
     */
    WriteResult run(Mutation m, long now) {
        return run(m, now, null, 0);
    }

    /**
     * Runs a mutation in a stripe the caller holds, giving the new item CAS unique {@code cas}.
     *
     * @return as {@link #run(Mutation, long)}
     */
    WriteResult run(Mutation m, long now, Stripe held, long cas) {
        long tag = Index.tagOf(m.hash);
        boolean conditional = m.readsOld();
        for (;;) {
            long first = index.bucketOf(m.hash);
            long second = index.secondBucketOf(m.hash);
            int v1 = index.beginRead(first);
            int v2 = index.beginRead(second);
            long oldRef = conditional ? index.find(first, second, tag, m.key, m.keyOffset, m.keyLength, region) : -1;
            long old = oldRef < 0 ? -1 : Index.itemOf(index.slotAt(oldRef));
            int oldLength = old < 0 ? 0 : Items.valueLength(memory, old);
            if (overruns(old, m.keyLength, oldLength, first, v1, second, v2)) {
                continue;
            }
            // A damaged item (checksum not matching) is as good as missing: a mutation never builds on its bytes.
            boolean damaged = old >= 0 && !m.checksum.matches(old, m.keyLength, oldLength);
            boolean live = old >= 0 && !damaged && liveness.of(old, now) == Liveness.LIVE;
            WriteResult refusal = m.decide(old, oldLength, live, now);
            if (refusal != null) {
                if (!index.validate(first, v1, second, v2) || !index.isAddressOf(m.hash, first, second)) {
                    continue;
                }
                return refusal;
            }
            boolean toMain = live && segments.state(region.segmentOf(old)) == Segments.MAIN;
            long size = Items.size(m.keyLength, m.newValueLength);
            Stripe stripe = held != null ? held : appender.lockStripe();
            boolean crowded;
            try {
                long itemCas = held != null ? cas : appender.casFor(stripe, m.explicitCas);
                long item = appender.append(stripe, toMain, size, itemCas);
                if (item < 0) {
                    counters.storeNoMemory.increment();
                    return WriteResult.OUT_OF_MEMORY;
                }
                m.write(item, Appender.casDelta(stripe, itemCas), now); // validated below: a changed item is not linked
                m.seal(item);
                appender.commit(stripe, size);
                if (conditional) {
                    if (!index.lockIfUnchanged(first, v1, second, v2)) {
                        appender.abandon(item); // unreachable, reclaimed with its segment
                        continue;
                    }
                } else {
                    index.lock(first, second);
                }
                if (!index.isAddressOf(m.hash, first, second)) { // a split moved the key on: look again
                    index.unlock(first, second);
                    appender.abandon(item);
                    continue;
                }
                try {
                    long currentRef = conditional ? oldRef
                            : index.find(first, second, tag, m.key, m.keyOffset, m.keyLength, region);
                    crowded = publish(first, second, tag, item, size, currentRef, now);
                    if (damaged) {
                        counters.badcrc.increment(); // replaced, so dropped
                    }
                    m.published(item, now);
                } finally {
                    index.unlock(first, second);
                }
            } finally {
                if (held == null) {
                    stripe.lock.unlock();
                }
            }
            if (crowded) {
                index.expand();
            }
            return WriteResult.STORED;
        }
    }

    /**
     * Whether {@code item} (or -1 for none), read optimistically, has lengths that overrun its
     * segment. That is a torn read to retry (true) if a writer changed either bucket meanwhile,
     * and corruption otherwise.
     *
     * @throws StoreCorruptedException if the lengths overrun and both buckets were stable
     */
    private boolean overruns(long item, int keyLength, int valueLength, long first, int v1, long second, int v2) {
        if (item < 0 || region.holds(item, keyLength, valueLength)) {
            return false;
        }
        if (index.validate(first, v1, second, v2)) {
            throw StoreCorruptedException.itemOutsideRegion(item);
        }
        return true;
    }

    /**
     * Links a written item in place of the item in slot {@code currentRef} (or in a free slot);
     * needs both buckets' full locks.
     *
     * @return whether a new slot was taken with its key's first bucket full or all but full:
     *         time for the index to grow ({@link Index#expand})
     */
    private boolean publish(long first, long second, long tag, long item, long size, long currentRef, long now) {
        long ref = currentRef;
        if (ref >= 0) {
            long old = Index.itemOf(index.slotAt(ref));
            index.setSlotAt(ref, Index.slotValue(tag, item));
            int oldSegment = region.segmentOf(old);
            int segment = region.segmentOf(item);
            if (oldSegment != segment) {
                segments.addLiveItems(oldSegment, -1);
                segments.addLiveItems(segment, 1);
            }
            counters.bytes.add(size - Items.size(Items.keyLength(memory, old), Items.valueLength(memory, old)));
            Items.setBits(memory, old, Items.bits(memory, old) | Items.UNLINKED); // last: see Unlinker.forget
            return false;
        }
        ref = index.freeSlot(first, second);
        if (ref < 0) {
            ref = relocate(first, second);
        }
        if (ref < 0) {
            ref = policy.evictFromBuckets(first, second, now);
        }
        index.setSlotAt(ref, Index.slotValue(tag, item));
        segments.addLiveItems(region.segmentOf(item), 1);
        counters.currItems.increment();
        counters.bytes.add(size);
        return index.freeSlots(first) <= EXPANSION_FREE_SLOTS;
    }

    /**
     * Frees a slot when both buckets are full by moving one of their items to its other bucket
     * (one step of cuckoo hashing), if that bucket has room and its lock is free at once. The
     * moved item stays findable: it is in one of its two buckets throughout, and both
     * versions change. Needs both buckets' full locks.
     *
     * @return the freed slot's reference, or -1
     */
    private long relocate(long first, long second) {
        for (int i = 0; i < 2 * Region.SLOTS_PER_BUCKET; i++) {
            long bucket = i < Region.SLOTS_PER_BUCKET ? first : second;
            int slot = i % Region.SLOTS_PER_BUCKET;
            long value = index.slot(bucket, slot);
            long item = Index.itemOf(value);
            if (item < region.segmentsOffset || item + Items.HEADER > memory.byteSize()
                    || !region.holds(item, Items.keyLength(memory, item), 0)) {
                throw StoreCorruptedException.itemOutsideRegion(item);
            }
            long hash = KeyHash.hash(memory, Items.keyOffset(item), Items.keyLength(memory, item));
            long other = index.otherBucketOf(hash, bucket);
            if (other == first || other == second || !index.tryLock(other)) {
                continue;
            }
            try {
                if (other != index.otherBucketOf(hash, bucket)) {
                    continue; // a split moved the key's other bucket before it was locked
                }
                int free = index.freeSlot(other);
                if (free >= 0) {
                    index.setSlot(other, free, value);
                    index.setSlot(bucket, slot, 0);
                    return Index.ref(bucket, slot);
                }
            } finally {
                index.unlock(other);
            }
        }
        return -1;
    }
}
