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
 * <p>The index grows with the items it holds (linear hashing, Litwin 1980): the memory limit
 * reserves its largest size, but only the first {@link RegionHeader#activeBuckets} buckets
 * are in use, {@value Region#INITIAL_BUCKETS} at first, and an insert that finds its first
 * bucket crowded splits one more ({@link #expand}). So a store holding few items keeps its
 * index small, on fewer cache lines and out of its resident memory, as memcached's hash table
 * starts small and doubles. Each of a key's two buckets is found the same way from its own
 * hash bits ({@link #address}); a split of bucket {@code s} moves to the new bucket only the
 * slots whose keys no longer address {@code s}, and changes no other key's buckets. So a
 * writer that holds a key's buckets and finds them still the key's buckets after locking can
 * rely on them until it unlocks ({@link #lockKey}); a reader that misses checks that the
 * key's buckets did not change under it ({@link #isAddressOf}).
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
    private final RegionHeader header;

    Index(Region region, ProcessTable processes) {
        this.memory = region.memory;
        this.region = region;
        this.header = region.header;
        this.buckets = region.bucketCount;
        this.indexOffset = region.indexOffset;
        this.processes = processes;
    }

    /** @return the buckets the memory limit reserves: the most the index grows to */
    long bucketCount() {
        return buckets;
    }

    /** @return the buckets in use, {@code [0, activeBuckets())}; only grows while the region is open */
    long activeBuckets() {
        return header.activeBuckets();
    }

    /**
     * @return the buckets in use and the next one, which a split that did not finish may have
     *         begun to fill and lock (recovery's walks)
     */
    long bucketsBegun() {
        return Math.min(buckets, header.activeBuckets() + 1);
    }

    /** @return the key's first bucket among the buckets in use now */
    long bucketOf(long hash) {
        return address(hash, header.activeBuckets());
    }

    /** @return the key's second bucket among the buckets in use now: from other hash bits, rarely its first */
    long secondBucketOf(long hash) {
        return address(secondBits(hash), header.activeBuckets());
    }

    /**
     * @return the key's bucket other than {@code bucket} among the buckets in use now: its second
     *         if {@code bucket} is its first, else its first ({@code bucket} itself when the key's
     *         two buckets are one)
     */
    long otherBucketOf(long hash, long bucket) {
        long first = bucketOf(hash);
        return first == bucket ? secondBucketOf(hash) : first;
    }

    /** @return whether the key's two buckets are still {@code first} and {@code second} */
    boolean isAddressOf(long hash, long first, long second) {
        long active = header.activeBuckets();
        return address(hash, active) == first && address(secondBits(hash), active) == second;
    }

    /** @return whether {@code bucket} is one of the key's two buckets among the buckets in use now */
    boolean isBucketOf(long hash, long bucket) {
        return isBucketOf(hash, bucket, header.activeBuckets());
    }

    /** @return whether {@code bucket} is one of the key's two buckets when {@code active} buckets are in use */
    static boolean isBucketOf(long hash, long bucket, long active) {
        return address(hash, active) == bucket || address(secondBits(hash), active) == bucket;
    }

    /** @return the hash bits a key's second bucket is addressed by: others than its first's, rotated down */
    static long secondBits(long hash) {
        return Long.rotateRight(hash, 24);
    }

    /**
     * Linear hashing's address: the low bits of {@code bits} modulo the next power of two above
     * the bucket count, folded back into the lower half where that bucket is not yet split.
     *
     * @param bits   hash bits, used from the lowest
     * @param active the buckets in use, at least 1
     * @return a bucket in {@code [0, active)}
     */
    static long address(long bits, long active) {
        long half = Long.highestOneBit(active);
        long b = bits & (2 * half - 1);
        return b < active ? b : b - half;
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

    /** @return the slot tag: the hash's top 16 bits, which bucket addresses use last */
    static long tagOf(long hash) {
        return hash >>> 48;
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
     * point outside the segments, a slot whose key no longer addresses this bucket (a split
     * copies a slot to the new bucket and clears it here after publishing the new count; in an
     * unused bucket, the copies of a split that never published), and a slot whose item is also
     * in the key's other bucket (a relocation copies a slot there before clearing it here).
     */
    void repair(long bucket) {
        for (int i = 0; i < Region.SLOTS_PER_BUCKET; i++) {
            long s = slot(bucket, i);
            if (s == 0) {
                continue;
            }
            long item = itemOf(s);
            if (!holdsKey(item)) {
                setSlot(bucket, i, 0);
                continue;
            }
            long hash = KeyHash.hash(memory, Items.keyOffset(item), Items.keyLength(memory, item));
            if (!isBucketOf(hash, bucket)) {
                setSlot(bucket, i, 0);
                continue;
            }
            long other = otherBucketOf(hash, bucket);
            for (int j = 0; j < Region.SLOTS_PER_BUCKET && other != bucket; j++) {
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
     *         slots (so that most keys are found in their first bucket), unless the index is
     *         fully grown and that bucket is one left unsplit at its last level (which takes
     *         the keys of twice the hash values); otherwise in the emptier bucket (to keep the
     *         load even as the index fills); -1 if both are full (call under their locks)
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
        if (free1 >= 2 && !takesDoubleRange(first)) {
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

    /** @return how many of the bucket's slots are free (call under its lock) */
    int freeSlots(long bucket) {
        int free = 0;
        for (int i = 0; i < Region.SLOTS_PER_BUCKET; i++) {
            if (slot(bucket, i) == 0) {
                free++;
            }
        }
        return free;
    }

    /**
     * @return whether the index has grown as far as it can and the bucket is one not split at
     *         that last level ({@code [active - 2^k, 2^k)}): the keys of twice as many hash
     *         values address it as a split one, and no more splits will even that out
     */
    private boolean takesDoubleRange(long bucket) {
        long active = header.activeBuckets();
        long half = Long.highestOneBit(active);
        return active == buckets && active != half && bucket >= active - half && bucket < half;
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
    private boolean isLinked(long hash, long item) {
        for (;;) {
            long first = bucketOf(hash);
            long second = secondBucketOf(hash);
            int v1 = beginRead(first);
            int v2 = beginRead(second);
            boolean linked = refOfItem(first, second, item) >= 0;
            if (validate(first, v1, second, v2) && (linked || isAddressOf(hash, first, second))) {
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
        if (!isLinked(hash, item)) {
            return -1;
        }
        lockKey(hash);
        long first = bucketOf(hash);
        long second = secondBucketOf(hash);
        long ref = refOfItem(first, second, item);
        if (ref < 0) {
            unlock(first, second);
        }
        return ref;
    }

    /**
     * Takes the full locks of the key's two buckets. While they are held, no split changes
     * them: {@link #bucketOf} and {@link #secondBucketOf} name them until {@link #unlockKey}.
     */
    void lockKey(long hash) {
        for (;;) {
            long first = bucketOf(hash);
            long second = secondBucketOf(hash);
            lock(first, second);
            if (isAddressOf(hash, first, second)) {
                return;
            }
            unlock(first, second); // a split moved the key on before the locks were had
        }
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

    /** Takes the full locks of both buckets (one lock if they are the same), lower number first. */
    void lock(long first, long second) {
        lock(Math.min(first, second));
        if (first != second) {
            lock(Math.max(first, second));
        }
    }

    /** @return true if both buckets were locked, still at the versions a reader saw; false (nothing locked) otherwise */
    boolean lockIfUnchanged(long first, int firstVersion, long second, int secondVersion) {
        if (first == second) {
            return lockIfUnchanged(first, firstVersion);
        }
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
        if (first != second) {
            unlock(second);
        }
    }

    /**
     * Splits the next bucket (memcached's expand_bucket, one bucket a call rather than a
     * background thread's pass) if the index has room to grow and no other thread or process is
     * splitting: a writer calls it, holding no bucket lock, after an insert found its first
     * bucket crowded. Under the expansion lock and the full locks of bucket {@code s} (the next
     * to split, {@code active - 2^k}) and bucket {@code active} (the new one), the slots of
     * {@code s} whose keys address the new bucket once it is in use are copied there, the new
     * count is published, and then the copies in {@code s} are cleared. A process that dies
     * midway leaves every item findable: before the count is published the new bucket is
     * unused (the next split clears it), after, {@link #repair} clears the stale copies.
     *
     * @return whether a bucket was split
     */
    boolean expand() {
        if (header.activeBuckets() >= buckets || !tryLockExpansion()) {
            return false;
        }
        try {
            long active = header.activeBuckets();
            if (active >= buckets) {
                return false;
            }
            long from = active - Long.highestOneBit(active);
            long to = active;
            lock(from, to);
            try {
                int moved = 0;
                int next = 0;
                for (int i = 0; i < Region.SLOTS_PER_BUCKET; i++) {
                    setSlot(to, i, 0); // an unused bucket holds nothing but an unpublished split's copies
                }
                for (int i = 0; i < Region.SLOTS_PER_BUCKET; i++) {
                    long s = slot(from, i);
                    long item = itemOf(s);
                    if (s == 0 || !holdsKey(item)) {
                        continue; // a damaged slot stays for a reader to report
                    }
                    long hash = KeyHash.hash(memory, Items.keyOffset(item), Items.keyLength(memory, item));
                    if (!isBucketOf(hash, from, active + 1)) {
                        setSlot(to, next++, s);
                        moved |= 1 << i;
                    }
                }
                header.setActiveBuckets(active + 1);
                for (int i = 0; i < Region.SLOTS_PER_BUCKET; i++) {
                    if ((moved & 1 << i) != 0) {
                        setSlot(from, i, 0);
                    }
                }
            } finally {
                unlock(from, to);
            }
            return true;
        } finally {
            header.releaseExpansionLock();
        }
    }

    /**
     * Takes the expansion lock at once if it is free, or from a holder whose process died (its
     * split is safe to do again, {@link #expand}).
     *
     * @return whether this thread now holds it
     */
    private boolean tryLockExpansion() {
        long w = header.expansionLockWord();
        if (w != 0 && processes.isLiveOwner(w)) {
            return false;
        }
        return header.casExpansionLock(w, owner() >>> 32);
    }

    /** Takes the expansion lock, waiting as long as it takes (the recount that must hold the index still). */
    void lockExpansion() {
        while (!tryLockExpansion()) {
            Thread.onSpinWait();
        }
    }

    void unlockExpansion() {
        header.releaseExpansionLock();
    }

    /** @return whether the item's header and its non-empty key lie within the region: its key can be hashed */
    private boolean holdsKey(long item) {
        if (item < region.segmentsOffset || item + Items.HEADER > memory.byteSize()) {
            return false;
        }
        int keyLength = Items.keyLength(memory, item);
        return keyLength > 0 && item + Items.HEADER + keyLength <= memory.byteSize();
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
