package dev.mnemo.store;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The hash index in the region (DESIGN.md store direction points 4 and 6): buckets of one
 * cache line, each a lock/version word and {@value Region#SLOTS_PER_BUCKET} item slots. A key
 * may live in either of two buckets chosen by its hash (two-choice hashing: an item goes to
 * the emptier one), which lets the index fill to a high load before a bucket overflows.
 * A writer locks both of a key's buckets, lower number first; a reader validates both.
 * A slot is named by a reference, {@code bucket << 3 | slot}.
 *
 * <p>A slot is 0 (empty) or {@code tag << 48 | item offset}: 16 bits of the key's hash and
 * the item's offset in the region. The lock word is {@code owner << 32 | version}. The version
 * is odd while a writer holds the bucket's full lock; readers read the version, the slots and
 * the item, then check that the version has not changed (a seqlock). The metadata lock sets
 * the owner without changing the version: it excludes writers while a reader updates an item's
 * access bits, and readers are not disturbed by it. The owner is a {@link ProcessTable#ownerId}:
 * a waiter that has spun {@value #CHECK_SPINS} times on a lock checks whether its holder's process
 * is still alive and, if not, breaks the lock and repairs the bucket (a slot a relocation had
 * copied but not yet cleared is removed; see {@link #repair}), then marks the process for reclaim.
 *
 * <p>Thread-safe: every method may be called from any thread; the slot setters only under
 * the bucket's full lock.
 */
final class Index {

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final long VERSION_MASK = 0xFFFF_FFFFL;
    /** Spins on a held lock between checks of its holder's liveness (a check costs a system call). */
    static final int CHECK_SPINS = 1 << 14;

    /** What a run of never-locked buckets is compared with: {@value #ZERO_RUN} buckets of 0 bytes. */
    private static final int ZERO_RUN = 64;
    private static final MemorySegment ZEROS = MemorySegment.ofArray(new byte[ZERO_RUN * Region.BUCKET_SIZE]);

    private final MemorySegment memory;
    private final Region region;
    private final long buckets;
    private final long indexOffset;
    private final ProcessTable processes;

    Index(Region region, ProcessTable processes) {
        this.memory = region.memory;
        this.region = region;
        this.buckets = region.bucketCount;
        this.indexOffset = region.indexOffset;
        this.processes = processes;
    }

    long bucketCount() {
        return buckets;
    }

    long bucketOf(long hash) {
        return Math.unsignedMultiplyHigh(hash, buckets);
    }

    /** @return the key's second bucket, never its first */
    long secondBucketOf(long hash) {
        long b = Math.unsignedMultiplyHigh(Long.rotateLeft(hash, 29) * 0x9E3779B97F4A7C15L, buckets - 1);
        long first = bucketOf(hash);
        return b >= first ? b + 1 : b;
    }

    static long ref(long bucket, int slot) {
        return bucket << 3 | slot;
    }

    static long bucketOfRef(long ref) {
        return ref >>> 3;
    }

    long slotAt(long ref) {
        return slot(ref >>> 3, (int) (ref & 7));
    }

    void setSlotAt(long ref, long value) {
        setSlot(ref >>> 3, (int) (ref & 7), value);
    }

    static long tagOf(long hash) {
        return hash & 0xFFFF;
    }

    static long slotValue(long tag, long item) {
        return tag << 48 | item;
    }

    static long itemOf(long slotValue) {
        return slotValue & 0xFFFF_FFFF_FFFFL;
    }

    private long word(long bucket) {
        return indexOffset + bucket * Region.BUCKET_SIZE;
    }

    private long slotAddress(long bucket, int slot) {
        return word(bucket) + (long) (slot + 1) * Long.BYTES;
    }

    /** @return the bucket's version for a seqlock read, waiting while a writer holds the full lock */
    int beginRead(long bucket) {
        long w;
        int spins = 0;
        while (((w = (long) LONG.getAcquire(memory, word(bucket))) & 1) != 0) {
            if (++spins % CHECK_SPINS == 0) {
                breakIfDead(bucket, w);
            }
            Thread.onSpinWait();
        }
        return (int) w;
    }

    /** @return the bucket's lock word: {@code owner << 32 | version} */
    long lockWord(long bucket) {
        return (long) LONG.getVolatile(memory, word(bucket));
    }

    /**
     * If the lock word {@code w} (just read) is held by a process that is no longer alive, breaks
     * the lock: repairs the bucket under it if the dead holder had the full lock, then frees it,
     * and marks the dead process for reclaim.
     *
     * @return whether the lock was broken (by this thread)
     */
    boolean breakIfDead(long bucket, long w) {
        long owner = w >>> 32;
        if (owner == 0 && (w & 1) == 0 || processes.isLiveOwner(owner)) {
            return false;
        }
        processes.markForReclaim(ProcessTable.slotOfOwner(owner));
        if ((w & 1) == 0) {
            return LONG.compareAndSet(memory, word(bucket), w, w & VERSION_MASK); // a metadata lock: just free it
        }
        if (!LONG.compareAndSet(memory, word(bucket), w, (long) processes.ownerId() << 32 | (w & VERSION_MASK))) {
            return false;
        }
        repair(bucket);
        unlock(bucket);
        return true;
    }

    /**
     * Repairs a bucket whose lock holder died (call holding its full lock): clears slots that
     * point outside the segments, and a slot whose item is also in the key's other bucket (a
     * relocation copies a slot there before clearing it here).
     */
    void repair(long bucket) {
        for (int i = 0; i < Region.SLOTS_PER_BUCKET; i++) {
            long s = slot(bucket, i);
            if (s == 0) {
                continue;
            }
            long item = itemOf(s);
            if (item < region.segmentsOffset || item + Items.HEADER > memory.byteSize()
                    || Items.keyLength(memory, item) == 0
                    || item + Items.HEADER + Items.keyLength(memory, item) > memory.byteSize()) {
                setSlot(bucket, i, 0);
                continue;
            }
            long hash = KeyHash.hash(memory, Items.keyOffset(item), Items.keyLength(memory, item));
            long home = bucketOf(hash);
            long other = home == bucket ? secondBucketOf(hash) : home;
            for (int j = 0; j < Region.SLOTS_PER_BUCKET; j++) {
                if (slot(other, j) == s) {
                    setSlot(bucket, i, 0);
                    break;
                }
            }
        }
    }

    /** @return true if no writer changed the bucket since {@link #beginRead} returned {@code version} */
    boolean validate(long bucket, int version) {
        VarHandle.acquireFence();
        return (int) (long) LONG.getVolatile(memory, word(bucket)) == version;
    }

    /** @return true if no writer changed either of a key's two buckets since {@link #beginRead} returned their versions */
    boolean validate(long first, int firstVersion, long second, int secondVersion) {
        return validate(first, firstVersion) && validate(second, secondVersion);
    }

    long slot(long bucket, int slot) {
        return (long) LONG.getOpaque(memory, slotAddress(bucket, slot));
    }

    /**
     * Reads the bucket's slots without its lock (acquire reads, pairing with the release that
     * published each slot): a writer holding the bucket may be filling a slot this misses.
     *
     * @return whether all {@value Region#SLOTS_PER_BUCKET} slots read 0
     */
    boolean looksEmpty(long bucket) {
        long at = slotAddress(bucket, 0);
        // the 7 slots of a 64-byte bucket, unrolled: one comparison per bucket (a crawl of an index of
        // millions of buckets, or under a fuzzer's instrumentation, where each comparison is a call)
        return ((long) LONG.getAcquire(memory, at) | (long) LONG.getAcquire(memory, at + 8)
                | (long) LONG.getAcquire(memory, at + 16) | (long) LONG.getAcquire(memory, at + 24)
                | (long) LONG.getAcquire(memory, at + 32) | (long) LONG.getAcquire(memory, at + 40)
                | (long) LONG.getAcquire(memory, at + 48)) == 0;
    }

    /**
     * Finds the next bucket a crawl must lock ({@link Reads#scan}), reading without locks. A
     * bucket whose 64 bytes are all 0, lock word included, has not been locked since the index
     * was made or cleared; a run of them is passed with bulk comparisons ({@link
     * MemorySegment#mismatch}, {@value #ZERO_RUN} buckets at a time), so that walking a sparse,
     * new index costs little per bucket never used. A bucket once used has a lock word other
     * than 0 and is checked alone ({@link #looksEmpty}).
     *
     * @return the first bucket of {@code [from, end)} whose slots do not all read 0, or {@code end}
     */
    long nextOccupied(long from, long end) {
        long bucket = from;
        while (bucket < end) {
            if (!looksEmpty(bucket)) {
                return bucket;
            }
            if ((long) LONG.getOpaque(memory, word(bucket)) != 0) {
                bucket++;
                continue;
            }
            long runEnd = Math.min(end, bucket + ZERO_RUN);
            long differs = MemorySegment.mismatch(memory, word(bucket), word(runEnd), ZEROS, 0, word(runEnd) - word(bucket));
            // differs is past this bucket unless a writer has just taken it: then it is checked again
            bucket = differs < 0 ? runEnd : bucket + differs / Region.BUCKET_SIZE;
        }
        return end;
    }

    void setSlot(long bucket, int slot, long value) {
        LONG.setRelease(memory, slotAddress(bucket, slot), value);
    }

    /** Takes the bucket's full lock, waiting as long as it takes. */
    void lock(long bucket) {
        long owner = owner();
        for (int spins = 1;; spins++) {
            long w = (long) LONG.getVolatile(memory, word(bucket));
            if ((w >>> 32) == 0 && LONG.compareAndSet(memory, word(bucket), w, owner | ((w + 1) & VERSION_MASK))) {
                return;
            }
            if (spins % CHECK_SPINS == 0) {
                breakIfDead(bucket, w);
            }
            Thread.onSpinWait();
        }
    }

    /** @return true if the bucket's full lock was taken at once; false if anyone holds a lock on it */
    boolean tryLock(long bucket) {
        long w = (long) LONG.getVolatile(memory, word(bucket));
        return (w >>> 32) == 0 && LONG.compareAndSet(memory, word(bucket), w, owner() | ((w + 1) & VERSION_MASK));
    }

    /**
     * Takes the full lock only if the bucket is still at {@code version}, waiting out a
     * metadata lock.
     *
     * @return false if a writer changed the bucket since the version was read
     */
    boolean lockIfUnchanged(long bucket, int version) {
        long owner = owner();
        long expected = version & VERSION_MASK;
        for (int spins = 1;; spins++) {
            if (LONG.compareAndSet(memory, word(bucket), expected, owner | ((expected + 1) & VERSION_MASK))) {
                return true;
            }
            long w = (long) LONG.getVolatile(memory, word(bucket));
            if ((int) w != version) {
                return false;
            }
            if (spins % CHECK_SPINS == 0) {
                breakIfDead(bucket, w);
            }
            Thread.onSpinWait();
        }
    }

    /** Releases the full lock, publishing the changes made under it. */
    void unlock(long bucket) {
        long w = (long) LONG.getVolatile(memory, word(bucket));
        LONG.setRelease(memory, word(bucket), (w + 1) & VERSION_MASK);
    }

    /** @return true if the metadata lock was taken with the bucket still at {@code version} */
    boolean tryLockMetadata(long bucket, int version) {
        return LONG.compareAndSet(memory, word(bucket), version & VERSION_MASK, owner() | (version & VERSION_MASK));
    }

    void unlockMetadata(long bucket, int version) {
        LONG.setRelease(memory, word(bucket), version & VERSION_MASK);
    }

    private long owner() {
        return (long) processes.ownerId() << 32;
    }

    /** Frees a lock word whatever holds it (recovery, when no process can be using the region). */
    void resetLock(long bucket) {
        long w = (long) LONG.getVolatile(memory, word(bucket));
        LONG.setVolatile(memory, word(bucket), (w + (w & 1)) & VERSION_MASK);
    }

    /**
     * Finds the slot holding the key in either of its buckets. Safe to call without a lock:
     * every length read from the region is checked before use, so a racing writer can make it
     * miss but not fault.
     *
     * @return the slot's reference, or -1
     */
    long find(long first, long second, long tag, MemorySegment key, long keyOffset, int keyLength, Region region) {
        long ref = find(first, tag, key, keyOffset, keyLength, region);
        return ref >= 0 ? ref : find(second, tag, key, keyOffset, keyLength, region);
    }

    /** Finds the slot holding the key in one bucket; see {@link #find(long, long, long, MemorySegment, long, int, Region)}. */
    long find(long bucket, long tag, MemorySegment key, long keyOffset, int keyLength, Region region) {
        for (int i = 0; i < Region.SLOTS_PER_BUCKET; i++) {
            long s = slot(bucket, i);
            if (s != 0 && (s >>> 48) == tag && keyMatches(itemOf(s), key, keyOffset, keyLength, region)) {
                return ref(bucket, i);
            }
        }
        return -1;
    }

    /**
     * @return a free slot's reference: in the first bucket while it has two or more free
     *         slots (so that most keys are found in their first bucket), otherwise in the
     *         emptier bucket (to keep the load even as the index fills); -1 if both are full
     *         (call under their locks)
     */
    long freeSlot(long first, long second) {
        int free1 = 0;
        int slot1 = -1;
        for (int i = Region.SLOTS_PER_BUCKET - 1; i >= 0; i--) {
            if (slot(first, i) == 0) {
                free1++;
                slot1 = i;
            }
        }
        if (free1 >= 2) {
            return ref(first, slot1);
        }
        int free2 = 0;
        int slot2 = -1;
        for (int i = Region.SLOTS_PER_BUCKET - 1; i >= 0; i--) {
            if (slot(second, i) == 0) {
                free2++;
                slot2 = i;
            }
        }
        if (free1 == 0 && free2 == 0) {
            return -1;
        }
        return free1 >= free2 ? ref(first, slot1) : ref(second, slot2);
    }

    /** @return a free slot's number in the bucket, or -1 (call under its lock) */
    int freeSlot(long bucket) {
        for (int i = 0; i < Region.SLOTS_PER_BUCKET; i++) {
            if (slot(bucket, i) == 0) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Whether a slot points to the item, read without locking but validated as a seqlock read
     * of both buckets: a relocation can move a slot between them while a single pass over the
     * two looks, and a linked item taken for dead would have its memory reused under it.
     */
    private boolean isLinked(long first, long second, long item) {
        for (;;) {
            int v1 = beginRead(first);
            int v2 = beginRead(second);
            boolean linked = refOfItem(first, second, item) >= 0;
            if (validate(first, v1, second, v2)) {
                return linked;
            }
        }
    }

    /**
     * Takes the full locks of the buckets of the key with hash {@code hash} if a slot in them
     * links {@code item} (a scan of a segment's items: checked without a lock first).
     *
     * @return the slot's reference, both buckets locked (release with {@link #unlockKey}); -1 with nothing locked
     */
    long lockLinked(long hash, long item) {
        long first = bucketOf(hash);
        long second = secondBucketOf(hash);
        if (!isLinked(first, second, item)) {
            return -1;
        }
        lock(first, second);
        long ref = refOfItem(first, second, item);
        if (ref < 0) {
            unlock(first, second);
        }
        return ref;
    }

    /** Releases the full locks of both buckets of the key with hash {@code hash}. */
    void unlockKey(long hash) {
        unlock(bucketOf(hash), secondBucketOf(hash));
    }

    /** @return the reference of the slot holding exactly this item offset in either bucket, or -1 */
    long refOfItem(long first, long second, long item) {
        for (int i = 0; i < Region.SLOTS_PER_BUCKET; i++) {
            long s = slot(first, i);
            if (s != 0 && itemOf(s) == item) {
                return ref(first, i);
            }
        }
        for (int i = 0; i < Region.SLOTS_PER_BUCKET; i++) {
            long s = slot(second, i);
            if (s != 0 && itemOf(s) == item) {
                return ref(second, i);
            }
        }
        return -1;
    }

    /** Takes the full locks of both buckets, lower number first. */
    void lock(long first, long second) {
        lock(Math.min(first, second));
        lock(Math.max(first, second));
    }

    /** @return true if both buckets were locked, still at the versions a reader saw; false (nothing locked) otherwise */
    boolean lockIfUnchanged(long first, int firstVersion, long second, int secondVersion) {
        boolean firstIsLower = first < second;
        long lower = firstIsLower ? first : second;
        long upper = firstIsLower ? second : first;
        if (!lockIfUnchanged(lower, firstIsLower ? firstVersion : secondVersion)) {
            return false;
        }
        if (!lockIfUnchanged(upper, firstIsLower ? secondVersion : firstVersion)) {
            unlock(lower);
            return false;
        }
        return true;
    }

    void unlock(long first, long second) {
        unlock(first);
        unlock(second);
    }

    private boolean keyMatches(long item, MemorySegment key, long keyOffset, int keyLength, Region region) {
        if (item < region.segmentsOffset || item + Items.HEADER + keyLength > memory.byteSize()) {
            return false;
        }
        if (Items.keyLength(memory, item) != keyLength) {
            return false;
        }
        long itemKey = Items.keyOffset(item);
        int i = 0;
        for (; i + Long.BYTES <= keyLength; i += Long.BYTES) {
            if (memory.get(ValueLayout.JAVA_LONG_UNALIGNED, itemKey + i) != key.get(ValueLayout.JAVA_LONG_UNALIGNED, keyOffset + i)) {
                return false;
            }
        }
        for (; i < keyLength; i++) {
            if (memory.get(ValueLayout.JAVA_BYTE, itemKey + i) != key.get(ValueLayout.JAVA_BYTE, keyOffset + i)) {
                return false;
            }
        }
        return true;
    }
}
