package dev.mnemo.store;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The region's 4096-byte header: the one owner of its layout (each field's offset) and the
 * accessors every other class reads and writes it through, in the style of Agrona's
 * descriptors. The layout is {@link Region#LAYOUT_VERSION}'s; changing an offset changes the
 * file format and needs a new layout version.
 *
 * <pre>
 * offset size field
 *    0   8    magic ({@link Region#MAGIC}), written last when a region is initialised
 *    8   4    layout version
 *   16   8    memory limit (bytes)          \
 *   24   8    max item size (bytes)          |
 *   32   8    index buckets                  | geometry: validated when a file is
 *   40   8    ghost-table entries            | mapped, never changed after
 *   48   8    segment size (bytes)           |
 *   56   8    segments                       |
 *   64   8    offset of the first segment    |
 *   72   8    CAS enabled (1) or not (0)    /
 *  128   8    CAS counter: the uniques handed out so far (blocks are reserved ahead of use)
 *  192   8    segment lock word: 0 or its holder's {@link ProcessTable#ownerId}
 *  256   8    flush sequence: items in segments opened before it are flushed; 0 when none is left
 *  264   8    a delayed flush_all's time (Unix seconds), or 0
 *  272   8    the memory limit in force (cache_memlimit, bytes)
 *  280   8    process slots found dead, for the next segment-lock holder to reclaim (bit mask)
 *  320   8    the sequence number the next opened segment gets
 *  328   4    free list head (segment or -1)
 *  332   4    free segments
 *  336   4    segment budget: how many segments may be in use
 *  340   4    eviction target: the open segment eviction moves survivors into, or -1
 *  344   4    sweep cursor: the segment the expiry sweep looks at next
 *  352  16    queue heads, 4 bytes per segment state (SMALL and MAIN are used)
 *  368  16    queue tails
 *  384  16    queue lengths
 *  448   8    active index buckets: the buckets in use, from the first; grows by one per split
 *               ({@link Index#expand}), never shrinks (alone in its cache line: read by every lookup)
 *  512   8    index expansion lock word: 0 or its holder's {@link ProcessTable#ownerId}
 * 1024 2048   process table: {@value ProcessTable#SLOTS} entries of 32 bytes (pid, start time in
 *             milliseconds, token)
 * </pre>
 *
 * <p>The geometry fields are read unaligned, so the same accessors serve a copy of a file's
 * header in a heap array ({@link Region}'s validation). Thread-safety is the fields' owners':
 * the accessors' memory orderings are those each field's protocol needs (noted where not plain).
 */
final class RegionHeader {

    /** The header's size in bytes: the statistics counters follow it. */
    static final int SIZE = 4096;

    private static final long MAGIC = 0;
    private static final long VERSION = 8;
    private static final long MEMORY_LIMIT = 16;
    private static final long MAX_ITEM_SIZE = 24;
    private static final long BUCKETS = 32;
    private static final long GHOSTS = 40;
    private static final long SEGMENT_SIZE = 48;
    private static final long SEGMENTS = 56;
    private static final long SEGMENTS_OFFSET = 64;
    private static final long CAS_ENABLED = 72;
    /** The CAS counter's offset (package-private for tests that move it). */
    static final long CAS_COUNTER = 128;
    /** The segment lock word's offset: the first of the fields that change at run time (tests scribble from here). */
    static final long SEGMENT_LOCK = 192;
    private static final long FLUSH_SEQUENCE = 256;
    private static final long PENDING_FLUSH_AT = 264;
    private static final long MEMORY_LIMIT_NOW = 272;
    private static final long RECLAIM_MASK = 280;
    private static final long NEXT_SEQUENCE = 320;
    private static final long FREE_HEAD = 328;
    private static final long FREE_COUNT = 332;
    private static final long SEGMENT_BUDGET = 336;
    private static final long EVICTION_TARGET = 340;
    private static final long SWEEP_CURSOR = 344;
    private static final long QUEUE_HEAD = 352;
    private static final long QUEUE_TAIL = 368;
    /** The queue lengths' offset (package-private for tests). */
    static final long QUEUE_COUNT = 384;
    /** The active index buckets' offset (package-private for tests that leave a split cut short). */
    static final long ACTIVE_BUCKETS = 448;
    /** The index expansion lock word's offset (package-private, as {@link #ACTIVE_BUCKETS}). */
    static final long EXPANSION_LOCK = 512;
    /** The process table's offset (package-private for tests). */
    static final long PROCESSES = 1024;
    private static final long PROCESS_ENTRY_SIZE = 32;
    private static final long PID = 0;
    private static final long START = 8;
    private static final long TOKEN = 16;

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final MemorySegment memory;

    /** @param memory the region, or a copy of a header (geometry accessors only) */
    RegionHeader(MemorySegment memory) {
        this.memory = memory;
    }

    // ---- identity and geometry ----

    long magic() {
        return memory.get(ValueLayout.JAVA_LONG_UNALIGNED, MAGIC);
    }

    int version() {
        return memory.get(ValueLayout.JAVA_INT_UNALIGNED, VERSION);
    }

    long memoryLimit() {
        return memory.get(ValueLayout.JAVA_LONG_UNALIGNED, MEMORY_LIMIT);
    }

    long maxItemSize() {
        return memory.get(ValueLayout.JAVA_LONG_UNALIGNED, MAX_ITEM_SIZE);
    }

    long buckets() {
        return memory.get(ValueLayout.JAVA_LONG_UNALIGNED, BUCKETS);
    }

    long ghosts() {
        return memory.get(ValueLayout.JAVA_LONG_UNALIGNED, GHOSTS);
    }

    long segmentSize() {
        return memory.get(ValueLayout.JAVA_LONG_UNALIGNED, SEGMENT_SIZE);
    }

    long segments() {
        return memory.get(ValueLayout.JAVA_LONG_UNALIGNED, SEGMENTS);
    }

    long segmentsOffset() {
        return memory.get(ValueLayout.JAVA_LONG_UNALIGNED, SEGMENTS_OFFSET);
    }

    boolean casEnabled() {
        return memory.get(ValueLayout.JAVA_LONG_UNALIGNED, CAS_ENABLED) != 0;
    }

    /**
     * Writes the layout version, the geometry and the memory limit in force into a fresh header;
     * the magic comes later ({@link #writeMagic}), once the rest of the region is initialised.
     */
    void writeGeometry(Region.Geometry g, boolean casEnabled) {
        memory.set(ValueLayout.JAVA_INT, VERSION, Region.LAYOUT_VERSION);
        memory.set(ValueLayout.JAVA_LONG, MEMORY_LIMIT, g.memoryLimit());
        memory.set(ValueLayout.JAVA_LONG, MAX_ITEM_SIZE, g.maxItemSize());
        memory.set(ValueLayout.JAVA_LONG, BUCKETS, g.buckets());
        memory.set(ValueLayout.JAVA_LONG, GHOSTS, g.ghosts());
        memory.set(ValueLayout.JAVA_LONG, SEGMENT_SIZE, g.segmentSize());
        memory.set(ValueLayout.JAVA_LONG, SEGMENTS, g.segments());
        memory.set(ValueLayout.JAVA_LONG, SEGMENTS_OFFSET, g.segmentsOffset());
        memory.set(ValueLayout.JAVA_LONG, CAS_ENABLED, casEnabled ? 1 : 0);
        memory.set(ValueLayout.JAVA_LONG, MEMORY_LIMIT_NOW, g.memoryLimit());
        memory.set(ValueLayout.JAVA_LONG, ACTIVE_BUCKETS, Math.min(g.buckets(), Region.INITIAL_BUCKETS));
    }

    /** Marks the header valid: call last when initialising a region. */
    void writeMagic() {
        memory.set(ValueLayout.JAVA_LONG, MAGIC, Region.MAGIC);
    }

    // ---- shared run-time state ----

    /** Reserves {@code count} CAS uniques (atomic). @return the counter before: the block is the next {@code count} */
    long reserveCas(long count) {
        return (long) LONG.getAndAdd(memory, CAS_COUNTER, count);
    }

    /** @return the index buckets in use (acquire read: pairs with {@link #setActiveBuckets}) */
    long activeBuckets() {
        return (long) LONG.getAcquire(memory, ACTIVE_BUCKETS);
    }

    /** Publishes a split's new bucket count (release store); call holding the expansion lock. */
    void setActiveBuckets(long buckets) {
        LONG.setRelease(memory, ACTIVE_BUCKETS, buckets);
    }

    /** @return the index expansion lock word (volatile read) */
    long expansionLockWord() {
        return (long) LONG.getVolatile(memory, EXPANSION_LOCK);
    }

    /** @return whether the expansion lock word was {@code expected} and is now {@code owner} (atomic) */
    boolean casExpansionLock(long expected, long owner) {
        return LONG.compareAndSet(memory, EXPANSION_LOCK, expected, owner);
    }

    /** Frees the expansion lock, publishing the split done under it (release store). */
    void releaseExpansionLock() {
        LONG.setRelease(memory, EXPANSION_LOCK, 0L);
    }

    /** @return the segment lock word (volatile read) */
    long segmentLockWord() {
        return (long) LONG.getVolatile(memory, SEGMENT_LOCK);
    }

    /** @return whether the segment lock word was {@code expected} and is now {@code owner} (atomic) */
    boolean casSegmentLock(long expected, long owner) {
        return LONG.compareAndSet(memory, SEGMENT_LOCK, expected, owner);
    }

    /** Frees the segment lock, publishing what was done under it (release store). */
    void releaseSegmentLock() {
        LONG.setRelease(memory, SEGMENT_LOCK, 0L);
    }

    long flushSequence() {
        return memory.get(ValueLayout.JAVA_LONG, FLUSH_SEQUENCE);
    }

    void setFlushSequence(long sequence) {
        memory.set(ValueLayout.JAVA_LONG, FLUSH_SEQUENCE, sequence);
    }

    long pendingFlushAt() {
        return memory.get(ValueLayout.JAVA_LONG, PENDING_FLUSH_AT);
    }

    void setPendingFlushAt(long unixSeconds) {
        memory.set(ValueLayout.JAVA_LONG, PENDING_FLUSH_AT, unixSeconds);
    }

    long memoryLimitNow() {
        return memory.get(ValueLayout.JAVA_LONG, MEMORY_LIMIT_NOW);
    }

    void setMemoryLimitNow(long bytes) {
        memory.set(ValueLayout.JAVA_LONG, MEMORY_LIMIT_NOW, bytes);
    }

    /** @return the reclaim mask (volatile read) */
    long reclaimMask() {
        return (long) LONG.getVolatile(memory, RECLAIM_MASK);
    }

    /** @return whether the reclaim mask was {@code expected} and is now {@code mask} (atomic) */
    boolean casReclaimMask(long expected, long mask) {
        return LONG.compareAndSet(memory, RECLAIM_MASK, expected, mask);
    }

    /** @return the reclaim mask, clearing it (atomic) */
    long takeReclaimMask() {
        return (long) LONG.getAndSet(memory, RECLAIM_MASK, 0L);
    }

    long nextSequence() {
        return memory.get(ValueLayout.JAVA_LONG, NEXT_SEQUENCE);
    }

    void setNextSequence(long sequence) {
        memory.set(ValueLayout.JAVA_LONG, NEXT_SEQUENCE, sequence);
    }

    int freeHead() {
        return memory.get(ValueLayout.JAVA_INT, FREE_HEAD);
    }

    void setFreeHead(int segment) {
        memory.set(ValueLayout.JAVA_INT, FREE_HEAD, segment);
    }

    int freeCount() {
        return memory.get(ValueLayout.JAVA_INT, FREE_COUNT);
    }

    void setFreeCount(int count) {
        memory.set(ValueLayout.JAVA_INT, FREE_COUNT, count);
    }

    int segmentBudget() {
        return memory.get(ValueLayout.JAVA_INT, SEGMENT_BUDGET);
    }

    void setSegmentBudget(int segments) {
        memory.set(ValueLayout.JAVA_INT, SEGMENT_BUDGET, segments);
    }

    int evictionTarget() {
        return memory.get(ValueLayout.JAVA_INT, EVICTION_TARGET);
    }

    void setEvictionTarget(int segment) {
        memory.set(ValueLayout.JAVA_INT, EVICTION_TARGET, segment);
    }

    int sweepCursor() {
        return memory.get(ValueLayout.JAVA_INT, SWEEP_CURSOR);
    }

    void setSweepCursor(int segment) {
        memory.set(ValueLayout.JAVA_INT, SWEEP_CURSOR, segment);
    }

    /** @param queue a segment state, 0 to 3 */
    int queueHead(int queue) {
        return memory.get(ValueLayout.JAVA_INT, QUEUE_HEAD + queue * 4L);
    }

    void setQueueHead(int queue, int segment) {
        memory.set(ValueLayout.JAVA_INT, QUEUE_HEAD + queue * 4L, segment);
    }

    int queueTail(int queue) {
        return memory.get(ValueLayout.JAVA_INT, QUEUE_TAIL + queue * 4L);
    }

    void setQueueTail(int queue, int segment) {
        memory.set(ValueLayout.JAVA_INT, QUEUE_TAIL + queue * 4L, segment);
    }

    int queueCount(int queue) {
        return memory.get(ValueLayout.JAVA_INT, QUEUE_COUNT + queue * 4L);
    }

    void setQueueCount(int queue, int count) {
        memory.set(ValueLayout.JAVA_INT, QUEUE_COUNT + queue * 4L, count);
    }

    // ---- process table entries ----

    private static long entry(int slot) {
        return PROCESSES + slot * PROCESS_ENTRY_SIZE;
    }

    /** @return the pid holding the slot, 0 if free (acquire read) */
    long processPid(int slot) {
        return (long) LONG.getAcquire(memory, entry(slot) + PID);
    }

    /** @return whether the slot's pid was {@code expected} and is now {@code pid} (atomic) */
    boolean casProcessPid(int slot, long expected, long pid) {
        return LONG.compareAndSet(memory, entry(slot) + PID, expected, pid);
    }

    /** @return the slot holder's start time, milliseconds since the epoch, 0 if unknown */
    long processStart(int slot) {
        return memory.get(ValueLayout.JAVA_LONG, entry(slot) + START);
    }

    void setProcessStart(int slot, long epochMillis) {
        memory.set(ValueLayout.JAVA_LONG, entry(slot) + START, epochMillis);
    }

    /** @return the slot holder's token (acquire read) */
    long processToken(int slot) {
        return (long) LONG.getAcquire(memory, entry(slot) + TOKEN);
    }

    /** Sets the slot's token with a release store: the entry is complete once it is there. */
    void publishProcessToken(int slot, long token) {
        LONG.setRelease(memory, entry(slot) + TOKEN, token);
    }

    /** Clears the slot's token (plain store), before its pid is freed. */
    void clearProcessToken(int slot) {
        memory.set(ValueLayout.JAVA_LONG, entry(slot) + TOKEN, 0L);
    }
}
