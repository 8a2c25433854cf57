package dev.mnemo.store;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Finding items: the lock-free get (a seqlock read of the key's buckets, retried when a writer
 * raced it), touch and gat, the locked lookup of a live item ({@link #lockLive}) that deletes
 * and the meta commands build on, and the bookkeeping of a read (fetched, the read counter,
 * the last access). An expired or flushed item a lookup finds is unlinked on the way (counted
 * as get_expired or get_flushed). Every read verifies the item's checksum ({@link ItemChecksum})
 * before handing it out — but the lock-free get of a store that verified every item as it
 * rebuilt the region (a warm restart), where it costs 14 %; a damaged item is unlinked, counted in
 * badcrc_from_memory_file, and reads as a miss. Thread-safe; an {@link ItemReader} must not
 * call back into the store.
 */
final class Reads {

    private final Region region;
    private final MemorySegment memory;
    private final Index index;
    private final Liveness liveness;
    private final Unlinker unlinker;
    private final Counters counters;
    private final FlushAll time;
    private final ThreadLocal<Flyweight> views;
    /** Whether {@link #get} verifies checksums: not in a store that rebuilt (verified) the region as it opened. */
    private final boolean verifyGets;

    Reads(Region region, Index index, Segments segments, Liveness liveness, Unlinker unlinker, Counters counters,
          FlushAll time, boolean verifyGets) {
        this.verifyGets = verifyGets;
        this.region = region;
        this.memory = region.memory;
        this.index = index;
        this.liveness = liveness;
        this.unlinker = unlinker;
        this.counters = counters;
        this.time = time;
        this.views = ThreadLocal.withInitial(() -> new Flyweight(region, segments));
    }

    /** {@link Store#get}: counts a hit or a miss (get_expired or get_flushed too for a dead item found). */
    boolean get(MemorySegment key, long keyOffset, int keyLength, ItemReader reader) {
        Arguments.checkKey(key, keyOffset, keyLength);
        Objects.requireNonNull(reader, "reader");
        long now = time.now();
        long hash = KeyHash.hash(key, keyOffset, keyLength);
        long tag = Index.tagOf(hash);
        Flyweight view = views.get();
        for (;;) {
            // A key found in one bucket was linked while that bucket's version held. A miss
            // needs both buckets unchanged, since an item may move between them, and still the
            // key's buckets, since a split may have moved it on before they were read.
            long first = index.bucketOf(hash);
            long bucket = first;
            int version = index.beginRead(first);
            long ref = index.find(first, tag, key, keyOffset, keyLength, region);
            if (ref < 0) {
                int firstVersion = version;
                bucket = index.secondBucketOf(hash);
                version = index.beginRead(bucket);
                ref = index.find(bucket, tag, key, keyOffset, keyLength, region);
                if (ref < 0) {
                    if (index.validate(first, firstVersion) && index.validate(bucket, version)
                            && index.isAddressOf(hash, first, bucket)) {
                        counters.getMisses.increment();
                        return false;
                    }
                    continue;
                }
            }
            long item = Index.itemOf(index.slotAt(ref));
            int valueLength = Items.valueLength(memory, item);
            if (!region.holds(item, keyLength, valueLength)) {
                if (index.validate(bucket, version)) {
                    throw StoreCorruptedException.itemOutsideRegion(item);
                }
                continue;
            }
            int state = liveness.of(item, now);
            if (state != Liveness.LIVE) {
                if (!index.validate(bucket, version)) {
                    continue;
                }
                (state == Liveness.EXPIRED ? counters.getExpired : counters.getFlushed).increment();
                counters.getMisses.increment();
                unlinkDead(bucket, version, item);
                return false;
            }
            if (verifyGets && !view.checksum.matches(item, keyLength, valueLength)) {
                if (!index.validate(bucket, version)) {
                    continue; // torn by a racing writer, not damaged
                }
                counters.getMisses.increment();
                unlinkDamaged(bucket, version, item);
                return false;
            }
            view.wrap(item, keyLength, valueLength, now);
            reader.read(view);
            if (!index.validate(bucket, version)) {
                continue;
            }
            counters.getHits.increment();
            recordRead(bucket, version, item, now);
            return true;
        }
    }

    /** {@link Store#getAndTouch}: {@link #touch} handing the item to a reader. */
    boolean getAndTouch(MemorySegment key, long keyOffset, int keyLength, long expiresAt, ItemReader reader) {
        Arguments.checkKey(key, keyOffset, keyLength);
        Objects.requireNonNull(reader, "reader");
        return touch(key, keyOffset, keyLength, expiresAt, reader);
    }

    /**
     * {@link Store#touch}, and {@link Store#getAndTouch} with a reader: sets a live item's
     * expiry, hands it to the reader (if not null) under the key's bucket locks, and marks it
     * read. Counts touch_hits or touch_misses.
     *
     * @param expiresAt the new expiry, Unix seconds, 0 for never
     * @return whether the item was found
     */
    boolean touch(MemorySegment key, long keyOffset, int keyLength, long expiresAt, ItemReader reader) {
        Arguments.checkKey(key, keyOffset, keyLength);
        long now = time.now();
        long hash = KeyHash.hash(key, keyOffset, keyLength);
        long item = lockLive(hash, key, keyOffset, keyLength, now);
        if (item < 0) {
            counters.touchMisses.increment();
            return false;
        }
        try {
            Items.setExptime(memory, item, Items.expiry(expiresAt));
            if (reader != null) {
                // before markRead: the view reads the header lazily, isFetched() is as before the read
                read(item, keyLength, Items.valueLength(memory, item), now, reader, null, false);
            }
            markRead(item, now);
        } finally {
            unlock(hash);
        }
        counters.touchHits.increment();
        return true;
    }

    /**
     * Finds a live item and takes the full locks of the key's buckets. On a miss, an expired or
     * flushed item found is unlinked (counted as get_expired or get_flushed), as is a damaged one
     * (counted in badcrc_from_memory_file), and nothing stays locked.
     *
     * @return the item's offset, with both of the key's buckets locked (release with {@link #unlock}), or -1
     * @throws StoreCorruptedException if the item's lengths reach outside the region (nothing stays locked)
     */
    long lockLive(long hash, MemorySegment key, long keyOffset, int keyLength, long now) {
        index.lockKey(hash);
        long first = index.bucketOf(hash);
        long second = index.secondBucketOf(hash);
        long ref = index.find(first, second, Index.tagOf(hash), key, keyOffset, keyLength, region);
        if (ref >= 0) {
            long item = Index.itemOf(index.slotAt(ref));
            if (!region.holds(item, keyLength, Items.valueLength(memory, item))) {
                index.unlock(first, second);
                throw StoreCorruptedException.itemOutsideRegion(item);
            }
            int state = liveness.of(item, now);
            if (state == Liveness.LIVE) {
                if (views.get().checksum.matches(item, keyLength, Items.valueLength(memory, item))) {
                    return item;
                }
                counters.badcrc.increment();
            } else {
                (state == Liveness.EXPIRED ? counters.getExpired : counters.getFlushed).increment();
            }
            unlinker.unlink(ref, item);
        }
        index.unlock(first, second);
        return -1;
    }

    /** Releases the key's bucket locks that {@link #lockLive} took. */
    void unlock(long hash) {
        index.unlockKey(hash);
    }

    /**
     * {@link Store#scan}: hands the live items of buckets {@code [cursor, cursor + buckets)} to
     * the reader, one bucket at a time under its lock; marks nothing read and counts nothing but
     * the damaged items it unlinks (badcrc_from_memory_file). A bucket whose slots all read 0 is
     * passed without taking its lock ({@link Index#nextOccupied}: most of a sparse index; a lock
     * is a write to the bucket's cache line): it holds nothing to hand over, and an item a writer
     * is linking into it at that moment is one stored during the walk, which memcached's crawler
     * may miss too. An item linked for the whole walk is in some slot the whole time (a
     * replacement overwrites its slot, a relocation copies the slot before clearing it), so it is
     * never skipped this way. The buckets are those in use when called ({@link
     * Index#activeBuckets}, and those split off while the walk went on): a walk that meets
     * the index growing may hand over an item twice, when a split moves it from a bucket
     * already walked to the new one, but misses none.
     *
     * @return the next bucket to scan, or -1 after the last one
     */
    long scan(long cursor, int buckets, ItemReader reader) {
        Objects.requireNonNull(reader, "reader");
        long count = index.activeBuckets();
        if (cursor < 0 || cursor > count || buckets < 1) {
            throw new IllegalArgumentException("cursor " + cursor + " or buckets " + buckets + " out of range");
        }
        long end = Math.min(count, cursor + buckets);
        long now = time.now();
        Flyweight view = views.get();
        for (long bucket = index.nextOccupied(cursor, end); bucket < end; bucket = index.nextOccupied(bucket + 1, end)) {
            index.lock(bucket);
            try {
                for (int i = 0; i < Region.SLOTS_PER_BUCKET; i++) {
                    long slot = index.slot(bucket, i);
                    if (slot == 0) {
                        continue;
                    }
                    long item = Index.itemOf(slot);
                    int keyLength = Items.keyLength(memory, item);
                    int valueLength = Items.valueLength(memory, item);
                    if (!region.holds(item, keyLength, valueLength)) {
                        throw StoreCorruptedException.itemOutsideRegion(item);
                    }
                    if (liveness.of(item, now) != Liveness.LIVE) {
                        continue;
                    }
                    if (!view.checksum.matches(item, keyLength, valueLength)) {
                        counters.badcrc.increment();
                        unlinker.unlink(Index.ref(bucket, i), item);
                        continue;
                    }
                    view.wrap(item, keyLength, valueLength, now);
                    reader.read(view);
                }
            } finally {
                index.unlock(bucket);
            }
        }
        return end == count && index.activeBuckets() == count ? -1 : end; // grown meanwhile: walk the new buckets too
    }

    /** Unlinks the item {@link #lockLive} returned; call before {@link #unlock}. */
    void unlinkLocked(long hash, long item) {
        unlinker.unlink(index.refOfItem(index.bucketOf(hash), index.secondBucketOf(hash), item), item);
    }

    /** Hands a linked item to a reader, through the meta request's hold when there is one; needs the item's bucket locks. */
    void read(long item, int keyLength, int valueLength, long now, ItemReader reader, MetaItem meta, boolean created) {
        Flyweight view = views.get();
        view.wrap(item, keyLength, valueLength, now);
        if (meta == null) {
            reader.read(view);
            return;
        }
        meta.enter(memory, item, now, created);
        reader.read(view);
        meta.leave();
        if (created && meta.isVivify() && !meta.isNoBump()) {
            markRead(item, now); // memcached's mg fetches the item it creates (ma's is left unfetched)
        }
    }

    /** Sets fetched, bumps the frequency counter and refreshes the last access; needs a bucket lock. */
    void markRead(long item, long now) {
        int bits = Items.bits(memory, item);
        int frequency = Math.min(Items.MAX_FREQUENCY, Items.frequency(bits) + 1);
        Items.setBits(memory, item, Items.withFrequency(bits | Items.FETCHED, frequency));
        Items.setLastAccess(memory, item, now);
    }

    /** After a validated lock-free read: records the access if anything would change, unless a writer is busy. */
    private void recordRead(long bucket, int version, long item, long now) {
        int bits = Items.bits(memory, item);
        boolean stale = now - Items.lastAccess(Items.lastAccess16(memory, item), now) >= Items.ACCESS_UPDATE_INTERVAL;
        if ((bits & Items.FETCHED) != 0 && Items.frequency(bits) == Items.MAX_FREQUENCY && !stale) {
            return;
        }
        if (index.tryLockMetadata(bucket, version)) {
            try {
                markRead(item, now);
            } finally {
                index.unlockMetadata(bucket, version);
            }
        }
    }

    /** Unlinks a damaged item a reader found, counted in badcrc_from_memory_file, if its bucket is still as the reader saw it. */
    private void unlinkDamaged(long bucket, int version, long item) {
        if (index.lockIfUnchanged(bucket, version)) {
            try {
                long ref = index.refOfItem(bucket, bucket, item);
                if (ref >= 0) {
                    counters.badcrc.increment();
                    unlinker.unlink(ref, item);
                }
            } finally {
                index.unlock(bucket);
            }
        }
    }

    /** Unlinks an expired or flushed item a reader found, if its bucket is still as the reader saw it. */
    private void unlinkDead(long bucket, int version, long item) {
        if (index.lockIfUnchanged(bucket, version)) {
            try {
                long ref = index.refOfItem(bucket, bucket, item);
                if (ref >= 0) {
                    unlinker.unlink(ref, item);
                }
            } finally {
                index.unlock(bucket);
            }
        }
    }
}
