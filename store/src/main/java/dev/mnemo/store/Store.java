package dev.mnemo.store;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An off-heap memcached item store: the engine behind the server, the embedded API and
 * co-located access. Open one with {@link #builder()}, or join one another process owns with
 * {@link #attach(Path)}; both give this same API.
 *
 * <pre>{@code
 * try (Store store = Store.builder().memoryLimit(256L << 20).open()) {
 *     store.set(key, value, Duration.ofHours(1));
 *     byte[] cached = store.get(key);                 // null on a miss
 * }
 * }</pre>
 *
 * <p><b>Two APIs.</b> The simple one takes and returns byte arrays, copying. The zero-copy one,
 * the server's, takes keys as (memory, offset, length) and values through a reusable
 * {@link ItemWrite}, hands items out through an {@link ItemReader}, and allocates nothing. Its
 * expiry is absolute: {@code expiresAt} is Unix seconds, 0 for never, at or before now for
 * already expired (protocol.txt's 30-day rule is the protocol layer's). Outcomes are enums
 * ({@link WriteResult}, {@link DeleteResult}, {@link ArithmeticResult}). A bad argument (a null
 * key, a key length outside 1..250, a range outside its memory) throws
 * {@link IllegalArgumentException} and changes nothing; after {@link #close()} every operation on
 * items throws {@link IllegalStateException}.
 *
 * <p><b>Memory, eviction.</b> Index and items live in one off-heap region within the memory
 * limit (plus a control area of 12 KiB and 48 bytes per segment): a cuckoo index of 64-byte
 * buckets, a ghost table, and equal segments items are appended to, about 31 bytes per item
 * besides key and value. Values are never split. Eviction is S3-FIFO over segments
 * ({@link S3Fifo}); expired and flushed items are reclaimed first, by a daemon thread unless the
 * builder turns it off ({@link ExpirySweeper}).
 *
 * <p><b>Concurrency.</b> Thread-safe. Readers take no lock (a per-bucket seqlock: an
 * {@link ItemReader} may be called again if a writer raced it); writers lock the key's two
 * buckets and an append stripe. A reader must not call back into the store. A file-backed store
 * is shared by every process that {@link #attach}es to it (one host, one PID namespace), all
 * shared state living in the region; the file's permissions are the access control. Any process
 * may die at any instruction: items are published by one atomic slot write ({@link WriteLoop}),
 * dead holders' locks are broken and their work repaired ({@link Recovery}), and a corrupt file
 * makes an operation throw {@link StoreCorruptedException}.
 *
 * <p><b>Parts.</b> This class is a facade. {@link Reads} finds items (the lock-free get, touch);
 * {@link Writes} runs the storage commands, incr/decr and delete as {@link Mutation}s through
 * the one {@link WriteLoop}, which appends with the {@link Appender} and publishes in the
 * {@link Index}; {@link MetaOperations} adds the meta protocol's. {@link Liveness} and
 * {@link FlushAll} decide what is expired or flushed; {@link SegmentAllocator}, {@link S3Fifo},
 * {@link Unlinker}, {@link Sweeper} and {@link ExpirySweeper} free memory; {@link Region} and
 * {@link RegionHeader} own the layout; {@link Recovery} repairs after crashes.
 */
public final class Store implements AutoCloseable {

    /** The longest key, in bytes (protocol.txt "Keys"). */
    public static final int MAX_KEY_LENGTH = 250;

    private final StoreConfig config;
    private final Region region;
    private final Index index;
    private final Segments segments;
    private final Counters counters;
    private final ProcessTable processes;
    private final SegmentLock segmentLock;
    private final Recovery recovery;
    private final SegmentAllocator allocator;
    private final Appender appender;
    private final FlushAll flush;
    private final Reads reads;
    private final Writes writes;
    private final MetaOperations meta;
    private final Sweeper sweeper;
    private final Unlinker unlinker;
    private final ThreadLocal<ItemWrite> simpleWrites = ThreadLocal.withInitial(ItemWrite::new);
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Whether opening rebuilds the region's shared state (a warm restart no other process shares). */
    private final boolean rebuilds;
    private ExpirySweeper background;

    private Store(StoreConfig config, Region region, boolean attaching) {
        this.config = config;
        this.region = region;
        this.processes = new ProcessTable(region);
        int slot = processes.register();
        // A warm restart rebuilds the index and verifies every item on the way (Recovery); a
        // store that did not (it attached, or found another live process) verifies its gets.
        this.rebuilds = region.existing && !attaching && !processes.othersLive();
        this.counters = new Counters(region, slot);
        this.index = new Index(region, processes);
        this.segments = new Segments(region);
        Liveness liveness = new Liveness(region, segments);
        this.unlinker = new Unlinker(region, index, segments, counters);
        S3Fifo policy = new S3Fifo(region, index, segments, liveness, unlinker, config.clock(), slot);
        this.recovery = new Recovery(region, index, segments, counters, processes);
        this.segmentLock = new SegmentLock(region, processes, recovery);
        this.sweeper = new Sweeper(region, index, segments, liveness, unlinker, processes, segmentLock);
        this.allocator = new SegmentAllocator(region, segments, liveness, policy, segmentLock, slot, sweeper,
                config.clock());
        this.appender = new Appender(region, segments, segmentLock, allocator, liveness, config.casEnabled());
        this.flush = new FlushAll(region, config.clock(), appender, segmentLock, policy, liveness, counters);
        this.reads = new Reads(region, index, segments, liveness, unlinker, counters, flush, region.existing && !rebuilds);
        WriteLoop loop = new WriteLoop(region, index, segments, liveness, policy, counters, appender);
        this.writes = new Writes(region, liveness, policy, counters, flush, loop, reads);
        this.meta = new MetaOperations(region, segments, liveness, counters, flush, appender, loop, reads, writes);
    }

    /** Registers a new store with the region and puts an existing region in order; closes the region on failure. */
    private static Store start(StoreConfig config, Region region, boolean attaching, boolean sweepInBackground) {
        Store store;
        try {
            store = new Store(config, region, attaching);
        } catch (RuntimeException | Error e) {
            region.close();
            throw e;
        }
        try {
            if (region.existing) {
                store.recovery.putInOrder(store.segmentLock, store.rebuilds);
            }
            if (sweepInBackground) {
                store.background = new ExpirySweeper(store);
            }
            return store;
        } catch (RuntimeException | Error e) {
            store.close();
            throw e;
        }
    }

    /** @return a builder for a new store (64 MiB of anonymous memory unless told otherwise) */
    public static StoreBuilder builder() {
        return new StoreBuilder();
    }

    /**
     * {@link StoreBuilder#open()}: a memory file whose header matches is a warm restart, with every
     * live item (also after the owner was killed, {@link Recovery}); counters start from zero.
     *
     * @throws IllegalArgumentException if the configuration is impossible or the file does not match it
     */
    static Store open(StoreConfig config, boolean sweepInBackground) {
        Objects.requireNonNull(config, "config");
        return start(config, Region.open(config), false, sweepInBackground);
    }

    /**
     * Joins the store another process (typically the server) has open on {@code memoryFile}: the
     * same API and semantics, the system clock, no background sweeper (the owner sweeps).
     *
     * <p>Damaged items: attach does not verify the items up front. Every read of an attached
     * store verifies the item it is about to hand out against its CRC32C (a get, gat, touch,
     * delete, the meta commands, a scan, and a write that builds on the old item: append,
     * prepend, incr, decr, cas…), so a damaged item reads as a miss, is unlinked and counted in
     * badcrc_from_memory_file. Checking all items at attach would cost O(items) under every
     * bucket lock of a region that other processes are using, and would still not cover damage
     * done after it; the warm restart of a file no process has open ({@link StoreBuilder#open()})
     * verifies every item as it rebuilds the index, and its lock-free {@link #get} then does not
     * verify (14 % on StoreBenchmark getHit, above issue 16's 5 % bound: docs/PERFORMANCE.md,
     * "Item checksums"); its other reads and the writes that build on an old item do.
     *
     * @throws IllegalArgumentException     if the file is missing or not a valid Mnemo region
     * @throws java.io.UncheckedIOException if the file cannot be read or mapped
     */
    public static Store attach(Path memoryFile) {
        return attach(memoryFile, Clock.SYSTEM);
    }

    /** As {@link #attach(Path)}, with a time source that should agree with the owner's (tests). */
    public static Store attach(Path memoryFile, Clock clock) {
        Objects.requireNonNull(memoryFile, "memoryFile");
        Objects.requireNonNull(clock, "clock");
        Region region = Region.attach(memoryFile);
        StoreConfig config = new StoreConfig(region.memoryLimit, region.maxItemSize, memoryFile, clock,
                region.casEnabled(), StoreConfig.DEFAULT_MEMORY_FILE_MODE, false);
        return start(config, region, true, false);
    }

    // ---- the simple API: byte arrays in and out; copies and allocates (the zero-copy API does not) ----

    /**
     * Looks a key up (protocol.txt "get"). Counts get_hits or get_misses.
     *
     * @param key the key, 1 to {@value #MAX_KEY_LENGTH} bytes (as for every method here)
     * @return a copy of the value, or null if there is no live item under the key
     * @throws IllegalArgumentException if the key is null or its length is out of range
     */
    public byte[] get(byte[] key) {
        ValueCopy copy = new ValueCopy();
        return get(segmentOf(key), 0, key.length, copy) ? copy.value : null;
    }

    /** As {@link #get(byte[])}, returning the whole item (value, client flags, CAS unique, expiry), or null. */
    public Item getItem(byte[] key) {
        ValueCopy copy = new ValueCopy();
        return get(segmentOf(key), 0, key.length, copy) ? copy.item() : null;
    }

    /**
     * Stores a value that never expires under a key, replacing any item there (protocol.txt "set").
     *
     * @throws ItemTooLargeException if the value is longer than {@link #maxItemSize()} (the key's
     *                               old item is removed, as memcached does)
     * @throws StoreFullException    if no memory could be freed for it
     */
    public void set(byte[] key, byte[] value) {
        stored(set(write(key, value, 0)), value);
    }

    /**
     * As {@link #set(byte[], byte[])}, the item expiring after {@code ttl}.
     *
     * @param ttl time to live, positive, rounded up to whole seconds (as for every ttl here)
     * @throws IllegalArgumentException if ttl is zero or negative
     */
    public void set(byte[] key, byte[] value, Duration ttl) {
        stored(set(write(key, value, SimpleResults.expiresAt(ttl, nowSeconds()))), value);
    }

    /** As {@link #set(byte[], byte[])}, if the key has no item (protocol.txt "add"). @return whether it was stored */
    public boolean add(byte[] key, byte[] value) {
        return stored(add(write(key, value, 0)), value);
    }

    /** As {@link #add(byte[], byte[])}, with a ttl. */
    public boolean add(byte[] key, byte[] value, Duration ttl) {
        return stored(add(write(key, value, SimpleResults.expiresAt(ttl, nowSeconds()))), value);
    }

    /** As {@link #set(byte[], byte[])}, if the key has an item (protocol.txt "replace"). @return whether it was stored */
    public boolean replace(byte[] key, byte[] value) {
        return stored(replace(write(key, value, 0)), value);
    }

    /** As {@link #replace(byte[], byte[])}, with a ttl. */
    public boolean replace(byte[] key, byte[] value, Duration ttl) {
        return stored(replace(write(key, value, SimpleResults.expiresAt(ttl, nowSeconds()))), value);
    }

    /**
     * Replaces the key's item with a value that never expires if the item's CAS unique is still
     * {@code casUnique} (protocol.txt "cas"): an optimistic update that loses nothing to a
     * concurrent writer.
     *
     * @param casUnique the CAS unique read with {@link #getItem(byte[])}
     * @return STORED, EXISTS (another writer changed the item) or NOT_FOUND
     */
    public CasResult compareAndSet(byte[] key, long casUnique, byte[] value) {
        return SimpleResults.cas(compareAndSet(write(key, value, 0).casUnique(casUnique)), value.length, maxItemSize());
    }

    /** As {@link #compareAndSet(byte[], long, byte[])}, with a ttl. */
    public CasResult compareAndSet(byte[] key, long casUnique, byte[] value, Duration ttl) {
        ItemWrite w = write(key, value, SimpleResults.expiresAt(ttl, nowSeconds())).casUnique(casUnique);
        return SimpleResults.cas(compareAndSet(w), value.length, maxItemSize());
    }

    /**
     * Adds to a number (protocol.txt "incr"): the value must be the decimal text of an unsigned
     * 64-bit number; the sum wraps at 2^64. The item keeps its client flags and expiry.
     *
     * @param delta the amount, read as an unsigned 64-bit number
     * @return the new value, or empty if there is no item under the key
     * @throws NonNumericValueException if the value is not a number
     */
    public OptionalLong increment(byte[] key, long delta) {
        ValueCopy copy = new ValueCopy();
        return SimpleResults.number(increment(simpleWrites.get().reset().key(segmentOf(key), 0, key.length)
                .onStored(copy), delta), copy);
    }

    /** As {@link #increment(byte[], long)}, subtracting and stopping at 0 (protocol.txt "decr"). */
    public OptionalLong decrement(byte[] key, long delta) {
        ValueCopy copy = new ValueCopy();
        return SimpleResults.number(decrement(simpleWrites.get().reset().key(segmentOf(key), 0, key.length)
                .onStored(copy), delta), copy);
    }

    /** Removes the key's item (protocol.txt "delete"). @return whether there was one */
    public boolean delete(byte[] key) {
        return delete(segmentOf(key), 0, key.length, 0) == DeleteResult.DELETED;
    }

    /** Gives the key's item a new ttl (protocol.txt "touch"). @return whether there was an item */
    public boolean touch(byte[] key, Duration ttl) {
        return touch(segmentOf(key), 0, key.length, SimpleResults.expiresAt(ttl, nowSeconds()));
    }

    private static MemorySegment segmentOf(byte[] bytes) {
        if (bytes == null) {
            throw new IllegalArgumentException("key is null");
        }
        return MemorySegment.ofArray(bytes);
    }

    private ItemWrite write(byte[] key, byte[] value, long expiresAt) {
        Objects.requireNonNull(value, "value");
        return simpleWrites.get().reset().key(segmentOf(key), 0, key.length)
                .value(MemorySegment.ofArray(value), 0, value.length).expiresAt(expiresAt);
    }

    private boolean stored(WriteResult result, byte[] value) {
        return SimpleResults.stored(result, value.length, maxItemSize());
    }

    // ---- the zero-copy API: allocation-free; the server's path ----

    /**
     * Looks an item up (protocol.txt "get"); counts get_hits or get_misses. The item's CRC32C
     * is checked before the reader sees it: a damaged item is unlinked, counted in
     * badcrc_from_memory_file and reported as a miss (docs/DESIGN.md, "Damaged memory").
     *
     * @param key       the memory holding the key, from byte {@code keyOffset}, {@code keyLength} (1 to 250) bytes
     * @param reader    called with the item on a hit, possibly more than once (see {@link ItemReader})
     * @return true on a hit
     */
    public boolean get(MemorySegment key, long keyOffset, int keyLength, ItemReader reader) {
        return reads.get(key, keyOffset, keyLength, reader);
    }

    /**
     * Walks part of the store's live items without stopping it (memcached's lru_crawler
     * metadump): the items of index buckets {@code [cursor, cursor + buckets)}, each bucket that
     * holds any read under its lock (an empty one is passed without it), so the reader is called
     * exactly once per item and must not call back into the store. Start at cursor 0 and pass
     * each returned cursor back until -1. Counts nothing, marks nothing fetched. An item live for the whole walk is seen once, unless a write
     * relocated it between its two buckets meanwhile (then twice or not at all); items stored,
     * deleted or expiring during the walk may or may not be seen.
     *
     * @param cursor  0, or a cursor a previous call returned
     * @param buckets how many buckets to walk in this call, at least 1 (each holds up to 7 items)
     * @return the cursor to continue from, or -1 when the walk is complete
     * @throws IllegalArgumentException if cursor or buckets is out of range
     */
    public long scan(long cursor, int buckets, ItemReader reader) {
        return reads.scan(cursor, buckets, reader);
    }

    /**
     * As {@link #get(MemorySegment, long, int, ItemReader)}, setting the item's expiry (protocol.txt
     * "gat"); counts touch_hits or touch_misses instead. The reader is called once, under the locks.
     *
     * @param expiresAt the new expiry, Unix seconds, 0 for never
     */
    public boolean getAndTouch(MemorySegment key, long keyOffset, int keyLength, long expiresAt, ItemReader reader) {
        return reads.getAndTouch(key, keyOffset, keyLength, expiresAt, reader);
    }

    /** As {@link #getAndTouch} without reading the item (protocol.txt "touch"). @return whether there was an item */
    public boolean touch(MemorySegment key, long keyOffset, int keyLength, long expiresAt) {
        return reads.touch(key, keyOffset, keyLength, expiresAt, null);
    }

    /**
     * Stores w's value under w's key with w's client flags and expiry, replacing any item (protocol.txt
     * "set"); counts cmd_set and total_items. On TOO_LARGE or OUT_OF_MEMORY it removes the key's old
     * item in the same call, counting a delete: memcached's "a failed set drops the old item".
     *
     * @param w the write; its reader, if any, gets the stored item under the key's bucket locks
     * @return STORED, TOO_LARGE (value longer than {@link #maxItemSize()}) or OUT_OF_MEMORY
     */
    public WriteResult set(ItemWrite w) {
        return writes.store(WriteMode.SET, w, true);
    }

    /** As {@link #set(ItemWrite)} if the key has no item, without the drop ("add"). @return also NOT_STORED */
    public WriteResult add(ItemWrite w) {
        return writes.store(WriteMode.ADD, w, false);
    }

    /** As {@link #add(ItemWrite)}, if the key has a live item (protocol.txt "replace"). */
    public WriteResult replace(ItemWrite w) {
        return writes.store(WriteMode.REPLACE, w, false);
    }

    /**
     * Adds w's value after the item's, keeping its client flags and expiry (protocol.txt "append");
     * a CAS unique in w, if not 0, must be the item's (binary protocol).
     *
     * @return STORED, NOT_STORED (no item), EXISTS, TOO_LARGE (combined) or OUT_OF_MEMORY
     */
    public WriteResult append(ItemWrite w) {
        return writes.store(WriteMode.APPEND, w, false);
    }

    /** As {@link #append(ItemWrite)}, the value going before the item's (protocol.txt "prepend"). */
    public WriteResult prepend(ItemWrite w) {
        return writes.store(WriteMode.PREPEND, w, false);
    }

    /**
     * As {@link #replace(ItemWrite)}, if the item's CAS unique is {@code w.casUnique}
     * (protocol.txt "cas"). Counts cas_hits, cas_badval or cas_misses.
     *
     * @return STORED, EXISTS (another CAS unique), NOT_FOUND, TOO_LARGE or OUT_OF_MEMORY
     */
    public WriteResult compareAndSet(ItemWrite w) {
        return writes.store(WriteMode.CAS, w, false);
    }

    /**
     * Removes an item (protocol.txt "delete"); counts delete_hits or delete_misses (a CAS mismatch neither).
     *
     * @param casUnique 0 for no check, otherwise the CAS unique the item must have
     * @return DELETED, EXISTS or NOT_FOUND
     */
    public DeleteResult delete(MemorySegment key, long keyOffset, int keyLength, long casUnique) {
        return writes.delete(key, keyOffset, keyLength, casUnique);
    }

    /**
     * Adds {@code delta} (unsigned) to w's key's number, wrapping at 2^64 (protocol.txt "incr"; the
     * result is padded with spaces to the old length, as memcached does); counts incr_hits or
     * incr_misses. w's CAS unique, if not 0, must be the item's; its reader gets the new item
     * under the locks; with {@link ItemWrite#vivify} a missing item is created from w's value.
     *
     * @return UPDATED (changed or created), NOT_FOUND, EXISTS, NON_NUMERIC, TOO_LARGE or OUT_OF_MEMORY
     */
    public ArithmeticResult increment(ItemWrite w, long delta) {
        return writes.incrDecr(w, true, delta, null, w.stored);
    }

    /** As {@link #increment(ItemWrite, long)}, subtracting and stopping at 0; counts decr_hits or decr_misses. */
    public ArithmeticResult decrement(ItemWrite w, long delta) {
        return writes.incrDecr(w, false, delta, null, w.stored);
    }

    /** Invalidates every item stored so far (protocol.txt "flush_all"); as {@link #flushAll(long)} with 0. */
    public void flushAll() {
        flush.flushAll(0);
    }

    /**
     * Invalidates every item stored before {@code atSeconds} (Unix seconds; 0 or past: now), as
     * protocol.txt "flush_all"; counts cmd_flush. A later call replaces a pending flush.
     */
    public void flushAll(long atSeconds) {
        flush.flushAll(atSeconds);
    }

    /** @return the store's clock, Unix seconds: protocols convert protocol.txt exptimes with it */
    public long nowSeconds() {
        return config.clock().nowSeconds();
    }

    /** @return the longest value accepted, in bytes */
    public int maxItemSize() {
        return config.maxItemSize();
    }

    /** @return the memory limit the store was opened with, in bytes */
    public long memoryLimit() {
        return config.memoryLimit();
    }

    /** @return whether CAS uniques are kept (false as memcached's -C) */
    public boolean casEnabled() {
        return config.casEnabled();
    }

    /** @return the memory file, or null for anonymous memory */
    public Path memoryFile() {
        return config.memoryFile();
    }

    /**
     * Changes the memory limit, in bytes (memcached's "cache_memlimit"): lowering it evicts until
     * the store fits; above the limit it was opened with it is capped to that.
     *
     * @throws IllegalArgumentException if below the index plus enough segments for the writers
     */
    public void setMemoryLimit(long bytes) {
        allocator.setMemoryLimit(bytes);
    }

    /**
     * Reclaims expired and flushed items in at most {@code maxSegments} (1 or more) segments, going
     * round the region; for owners that turned the background sweeper off. @return items reclaimed
     */
    public int sweepExpired(int maxSegments) {
        return sweeper.sweep(maxSegments, flush.now());
    }

    /**
     * Sets the listener told of each item this store evicts to make room (not of expired, flushed,
     * deleted or replaced items); it replaces the previous one. Only this process's evictions are
     * reported: a co-located process evicts through its own {@code Store}. With none (the
     * default) an eviction pays one volatile read for it. Thread-safe; evictions already under
     * way may still go to the previous listener.
     *
     * @param listener the listener, or null for none
     */
    public void setEvictionListener(EvictionListener listener) {
        unlinker.setEvictionListener(listener);
    }

    /** @return a snapshot of the counters, under memcached's stats names */
    public StoreStats stats() {
        return counters.snapshot(region, segments);
    }

    /** Zeroes the counters that "stats reset" zeroes in memcached (not curr_items, bytes…). */
    public void resetStats() {
        counters.reset();
    }

    /** @return the meta protocol's operations on this store */
    public MetaOperations meta() {
        return meta;
    }

    /** Checks the whole region on a quiescent store (tests: StoreChecks). @throws IllegalStateException naming a problem */
    void checkConsistency() {
        new Consistency(region, index, segments, counters, processes).check();
    }

    /**
     * Stops the background sweeper, seals this store's open segments, frees its process slot and
     * unmaps the region; a memory file keeps its items for other processes and later opens. Call
     * once no other thread uses this store; a second call does nothing.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            if (background != null) {
                background.close();
            }
            appender.lockAll();
            try {
                sealOpenSegments();
                processes.release();
            } finally {
                region.close();
                appender.unlockAll();
            }
        }
    }

    /** Seals every open segment; called holding every stripe's lock ({@code appender.lockAll}). */
    private void sealOpenSegments() {
        segmentLock.lock();
        try {
            appender.sealAll();
        } finally {
            segmentLock.unlock();
        }
    }

    /**
     * Empties the store back to the state a new store in anonymous memory starts in: no items, an
     * empty index and ghost table, every counter at zero, CAS uniques and segment sequence numbers
     * from the start, the memory limit it was opened with, no pending flush_all. For the fuzz
     * targets (through the test fixture {@code StoreReset}), which run each input on one store as
     * if on a new one, without mapping and faulting in new memory per input. Costs a write of the
     * control area, index and ghost table (about 8 % of the memory limit); bytes past a segment's
     * items are left, as nothing reads them (the evictor's compaction leaves such bytes too).
     * Call when no other thread uses the store.
     *
     * @throws IllegalStateException if the store is closed, has a memory file (other processes may
     *                               share it) or a background sweeper
     */
    void clear() {
        if (closed.get() || config.memoryFile() != null || background != null) {
            throw new IllegalStateException("only an open store in anonymous memory without a background sweeper is cleared");
        }
        appender.lockAll();
        try {
            sealOpenSegments();
            appender.forgetAll();
            int slot = processes.slot();
            processes.release();
            region.clear(config.casEnabled());
            if (processes.register() != slot) {
                throw new IllegalStateException("the cleared region gave this store another process slot than " + slot);
            }
        } finally {
            appender.unlockAll();
        }
    }

    /** Crash-test hook: takes the key's bucket locks and the segment lock for good, as a killed writer leaves them. */
    void holdLocksForCrashTest(MemorySegment key, long keyOffset, int keyLength) {
        long hash = KeyHash.hash(key, keyOffset, keyLength);
        index.lockKey(hash);
        segmentLock.acquire();
    }
}
