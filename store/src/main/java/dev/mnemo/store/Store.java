package dev.mnemo.store;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An off-heap memcached item store: the engine behind the server, the embedded API and
 * co-located access (DESIGN.md, "The store — direction"). Open one with {@link #builder()}, or
 * join one another process owns with {@link #attach(Path)}.
 *
 * <pre>{@code
 * try (Store store = Store.builder().memoryLimit(256L << 20).open()) {
 *     store.set(key, value, Duration.ofHours(1));
 *     byte[] cached = store.get(key);                 // null on a miss
 * }
 * }</pre>
 *
 * <p><b>Two APIs.</b> The simple one takes and returns byte arrays, copying. The zero-copy one,
 * for hot paths such as the server's, takes keys as (memory, offset, length) and values through a
 * reusable {@link ItemWrite}, hands items out through an {@link ItemReader}, and allocates
 * nothing. Expiry there is absolute: {@code expiresAt} is Unix seconds, 0 for never, a time at
 * or before now for already expired (protocol.txt's 30-day rule is the protocol layer's).
 * Outcomes are per-operation enums ({@link WriteResult}, {@link DeleteResult},
 * {@link ArithmeticResult}); a bad argument (a null key, a key length outside 1..250, a range
 * outside its memory) throws {@link IllegalArgumentException} and changes nothing; after
 * {@link #close()} every operation on items throws {@link IllegalStateException}.
 *
 * <p><b>Memory.</b> Index and items live in one off-heap region of at most the memory limit
 * plus a control area (4 KiB header, 8 KiB of striped counters, 48 bytes per segment): an index
 * of 64-byte buckets of seven slots (a key sits in either of two buckets; a full pair makes room
 * by moving an item to its other bucket), a ghost table, then equal segments items are appended
 * to. An item takes a 20-byte header plus its key and value; with its share of the index about
 * 31 bytes besides key and value. A segment holds the largest item whole; values are never split.
 *
 * <p><b>Eviction.</b> S3-FIFO over segments ({@link S3Fifo}); reads only bump a 3-bit counter in
 * the item header. Expired and flushed items are reclaimed, not counted as evictions, and empty
 * segments are reused before any live item is evicted. Unless the builder turns it off, a
 * daemon thread reclaims expired items ({@link ExpirySweeper}).
 *
 * <p><b>Concurrency.</b> Thread-safe. Readers take no lock (a per-bucket seqlock; an
 * {@link ItemReader} may be called again if a writer raced it). Writers lock the key's two
 * buckets and one of a few append stripes; segment allocation and eviction serialise on one
 * lock. A reader must not call back into the store: some are called under the bucket locks.
 *
 * <p><b>Several processes.</b> A file-backed store can be shared: other processes on the host
 * {@link #attach} to it and run every operation with the same semantics, at once. All mutable
 * shared state lives in the region; the Java objects hold only per-process caches. Every process
 * that can open the file can read and write every item: the file's permissions are the access
 * control. The processes must share a PID namespace (a lock whose holder is dead is broken).
 *
 * <p><b>Crash safety</b> (issue 7). Any process may die at any instruction: an item is written,
 * chained into its segment, then published by one atomic slot write ({@link WriteLoop}); locks
 * carry the holder's process slot, and a waiter that finds the holder dead repairs what it left
 * ({@link Index}, {@link SegmentLock}, {@link Recovery}). Every offset read from the region is
 * checked: a corrupt file makes an operation throw {@link StoreCorruptedException}.
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
    private final ThreadLocal<ItemWrite> simpleWrites = ThreadLocal.withInitial(ItemWrite::new);
    private final AtomicBoolean closed = new AtomicBoolean();
    private ExpirySweeper background;

    private Store(StoreConfig config, Region region) {
        this.config = config;
        this.region = region;
        this.processes = new ProcessTable(region);
        int slot = processes.register();
        this.counters = new Counters(region, slot);
        this.index = new Index(region, processes);
        this.segments = new Segments(region);
        Liveness liveness = new Liveness(region, segments);
        Unlinker unlinker = new Unlinker(region, index, segments, counters);
        S3Fifo policy = new S3Fifo(region, index, segments, liveness, unlinker, config.clock(), slot);
        this.recovery = new Recovery(region, index, segments, counters, processes);
        this.segmentLock = new SegmentLock(region, processes, recovery);
        this.allocator = new SegmentAllocator(region, segments, liveness, policy, segmentLock, slot);
        this.appender = new Appender(region, segments, segmentLock, allocator, liveness, config.casEnabled());
        this.flush = new FlushAll(region, config.clock(), appender, segmentLock, policy, liveness, counters);
        this.reads = new Reads(region, index, segments, liveness, unlinker, counters, flush);
        WriteLoop loop = new WriteLoop(region, index, segments, liveness, policy, counters, appender);
        this.writes = new Writes(region, liveness, policy, counters, flush, loop, reads);
        this.meta = new MetaOperations(region, segments, liveness, counters, flush, appender, loop, reads, writes);
        this.sweeper = new Sweeper(region, index, segments, liveness, unlinker, processes, segmentLock, flush);
    }

    /** Registers a new store with the region and puts an existing region in order; closes the region on failure. */
    private static Store start(StoreConfig config, Region region, boolean attaching, boolean sweepInBackground) {
        Store store;
        try {
            store = new Store(config, region);
        } catch (RuntimeException | Error e) {
            region.close();
            throw e;
        }
        try {
            if (region.existing) {
                store.recovery.putInOrder(store.segmentLock, attaching);
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
     * Opens a store (what {@link StoreBuilder#open()} does): anonymous memory, or a mapping of the
     * memory file, created if missing. A file whose header matches is a warm restart: every item
     * not since expired, evicted, deleted or flushed is there again, also after the previous
     * owner was killed at any instruction ({@link Recovery}); the counters start from zero.
     *
     * @param sweepInBackground whether to start the {@link ExpirySweeper}
     * @throws IllegalArgumentException if the configuration is impossible or an existing memory
     *                                  file's header does not match it (and may not be discarded)
     * @throws java.io.UncheckedIOException if the memory file cannot be created, read or mapped
     */
    static Store open(StoreConfig config, boolean sweepInBackground) {
        Objects.requireNonNull(config, "config");
        return start(config, Region.open(config), false, sweepInBackground);
    }

    /**
     * Joins a store that another process (typically the server) has open on a memory file: a
     * co-located client with the same API and semantics as the owner. No background sweeper is
     * started (the owner sweeps). {@link #close()} detaches without destroying anything.
     *
     * @param memoryFile the owner's memory file
     * @return the attached store, using the system clock
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

    // ---- the simple API: byte arrays in and out; copies and allocates (use the zero-copy methods on hot paths) ----

    /**
     * Looks a key up (protocol.txt "get"). Counts get_hits or get_misses.
     *
     * @param key the key, 1 to {@value #MAX_KEY_LENGTH} bytes
     * @return a copy of the value, or null if there is no live item under the key
     * @throws IllegalArgumentException if the key is null or its length is out of range
     */
    public byte[] get(byte[] key) {
        ValueCopy copy = new ValueCopy();
        return get(segmentOf(key), 0, key.length, copy) ? copy.value : null;
    }

    /**
     * Looks a key up as {@link #get(byte[])} does and returns the whole item: value, client flags,
     * CAS unique (for {@link #compareAndSet}) and expiry.
     *
     * @return a copy of the item, or null if there is none
     */
    public Item getItem(byte[] key) {
        ValueCopy copy = new ValueCopy();
        return get(segmentOf(key), 0, key.length, copy) ? copy.item() : null;
    }

    /**
     * Stores a value under a key that never expires, replacing any item there.
     *
     * @throws ItemTooLargeException if the value is longer than the max item size (the key's old
     *                               item is removed, as memcached does)
     * @throws StoreFullException    if no memory could be freed for it
     */
    public void set(byte[] key, byte[] value) {
        stored(set(write(key, value, 0)), value);
    }

    /**
     * Stores a value that expires after {@code ttl}, replacing any item there.
     *
     * @param ttl time to live, positive; rounded up to whole seconds
     * @throws IllegalArgumentException if ttl is zero or negative
     * @throws ItemTooLargeException    if the value is longer than the max item size
     * @throws StoreFullException       if no memory could be freed for it
     */
    public void set(byte[] key, byte[] value, Duration ttl) {
        stored(set(write(key, value, expiresAt(ttl))), value);
    }

    /** Stores a value that never expires if the key has no item. @return whether it was stored */
    public boolean add(byte[] key, byte[] value) {
        return stored(add(write(key, value, 0)), value);
    }

    /** Stores a value that expires after {@code ttl} if the key has no item. @return whether it was stored */
    public boolean add(byte[] key, byte[] value, Duration ttl) {
        return stored(add(write(key, value, expiresAt(ttl))), value);
    }

    /** Replaces the key's item, if it has one, with a value that never expires. @return whether it was stored */
    public boolean replace(byte[] key, byte[] value) {
        return stored(replace(write(key, value, 0)), value);
    }

    /** Replaces the key's item, if it has one, with a value that expires after {@code ttl}. @return whether it was stored */
    public boolean replace(byte[] key, byte[] value, Duration ttl) {
        return stored(replace(write(key, value, expiresAt(ttl))), value);
    }

    /**
     * Replaces the key's item with a value that never expires, if the item's CAS unique is still
     * {@code casUnique} (protocol.txt "cas"): an optimistic update that loses nothing to a
     * concurrent writer.
     *
     * @param casUnique the CAS unique read with {@link #getItem(byte[])}
     * @return STORED, EXISTS (another writer changed the item) or NOT_FOUND
     */
    public CasResult compareAndSet(byte[] key, long casUnique, byte[] value) {
        return casResult(compareAndSet(write(key, value, 0).casUnique(casUnique)), value);
    }

    /** As {@link #compareAndSet(byte[], long, byte[])}, the new value expiring after {@code ttl}. */
    public CasResult compareAndSet(byte[] key, long casUnique, byte[] value, Duration ttl) {
        return casResult(compareAndSet(write(key, value, expiresAt(ttl)).casUnique(casUnique)), value);
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
        return arithmetic(key, delta, true);
    }

    /**
     * Subtracts from a number (protocol.txt "decr"), stopping at 0.
     *
     * @return the new value, or empty if there is no item under the key
     * @throws NonNumericValueException if the value is not a number
     */
    public OptionalLong decrement(byte[] key, long delta) {
        return arithmetic(key, delta, false);
    }

    /** Removes the key's item. @return whether there was one */
    public boolean delete(byte[] key) {
        return delete(segmentOf(key), 0, key.length, 0) == DeleteResult.DELETED;
    }

    /**
     * Gives the key's item a new time to live.
     *
     * @param ttl positive; rounded up to whole seconds
     * @return whether there was an item
     */
    public boolean touch(byte[] key, Duration ttl) {
        return touch(segmentOf(key), 0, key.length, expiresAt(ttl));
    }

    // ---- helpers of the simple API ----

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

    /** @return Unix seconds {@code ttl} from now, rounded up to whole seconds */
    private long expiresAt(Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, was " + ttl + " (use the methods without a ttl for no expiry)");
        }
        long seconds = ttl.getSeconds() + (ttl.getNano() > 0 ? 1 : 0);
        return nowSeconds() + Math.min(seconds, Items.MAX_EXPIRES_AT);
    }

    private boolean stored(WriteResult result, byte[] value) {
        return switch (result) {
            case STORED -> true;
            case NOT_STORED, EXISTS, NOT_FOUND -> false;
            case TOO_LARGE -> throw new ItemTooLargeException(value.length, maxItemSize());
            case OUT_OF_MEMORY -> throw new StoreFullException();
        };
    }

    private CasResult casResult(WriteResult result, byte[] value) {
        return switch (result) {
            case EXISTS -> CasResult.EXISTS;
            case NOT_FOUND -> CasResult.NOT_FOUND;
            default -> stored(result, value) ? CasResult.STORED : CasResult.NOT_FOUND;
        };
    }

    private OptionalLong arithmetic(byte[] key, long delta, boolean increment) {
        ValueCopy copy = new ValueCopy();
        ItemWrite w = simpleWrites.get().reset().key(segmentOf(key), 0, key.length).onStored(copy);
        return switch (increment ? increment(w, delta) : decrement(w, delta)) {
            case UPDATED -> OptionalLong.of(DecimalText.parse(MemorySegment.ofArray(copy.value), 0, copy.value.length));
            case NOT_FOUND -> OptionalLong.empty();
            case NON_NUMERIC -> throw new NonNumericValueException();
            case OUT_OF_MEMORY -> throw new StoreFullException();
            case EXISTS, TOO_LARGE -> throw new IllegalStateException("no CAS unique or initial value was given");
        };
    }

    // ---- the zero-copy API: allocation-free; the server's path ----

    /**
     * Looks an item up (protocol.txt "get"/"gets"). Counts cmd_get and get_hits or get_misses
     * (get_expired or get_flushed too when the item found had expired or was flushed).
     *
     * @param key       the memory holding the key
     * @param keyOffset offset of the key's first byte in {@code key}
     * @param keyLength key length in bytes, 1 to {@value #MAX_KEY_LENGTH}
     * @param reader    called with the item on a hit, possibly more than once (see {@link ItemReader})
     * @return true on a hit, false on a miss
     */
    public boolean get(MemorySegment key, long keyOffset, int keyLength, ItemReader reader) {
        return reads.get(key, keyOffset, keyLength, reader);
    }

    /**
     * Looks an item up and sets its expiry (protocol.txt "gat"/"gats"). Counts cmd_touch and
     * touch_hits or touch_misses, as memcached 1.6 does. The reader is called once, under the
     * key's bucket locks.
     *
     * @param expiresAt the new expiry, Unix seconds, 0 for never
     * @return true on a hit, false on a miss
     */
    public boolean getAndTouch(MemorySegment key, long keyOffset, int keyLength, long expiresAt, ItemReader reader) {
        return reads.getAndTouch(key, keyOffset, keyLength, expiresAt, reader);
    }

    /** As {@link #getAndTouch} without reading the item (protocol.txt "touch"). @return whether there was an item */
    public boolean touch(MemorySegment key, long keyOffset, int keyLength, long expiresAt) {
        return reads.touch(key, keyOffset, keyLength, expiresAt, null);
    }

    /**
     * Stores w's value under w's key with w's client flags and expiry, replacing any item there
     * (protocol.txt "set"). The value is copied into the store once. Counts cmd_set and
     * total_items (store_too_large or store_no_memory instead when it fails). On TOO_LARGE or
     * OUT_OF_MEMORY it removes the key's old item in the same call, under the key's bucket locks,
     * counting delete_hits or delete_misses: memcached's "a failed set drops the old item"
     * (process_update_command), so no stale value outlives a failed set.
     *
     * @param w the key, value, client flags, expiry and an optional reader of the stored item
     *          (called under the key's bucket locks, to learn its CAS unique)
     * @return STORED, TOO_LARGE (value longer than {@link #maxItemSize()}) or OUT_OF_MEMORY
     * @throws IllegalArgumentException for a bad key or a value range outside its memory
     */
    public WriteResult set(ItemWrite w) {
        return writes.store(WriteMode.SET, w, true);
    }

    /** As {@link #set(ItemWrite)} if the key has no live item, without the drop (protocol.txt "add"). @return STORED, NOT_STORED, TOO_LARGE or OUT_OF_MEMORY */
    public WriteResult add(ItemWrite w) {
        return writes.store(WriteMode.ADD, w, false);
    }

    /** As {@link #add(ItemWrite)}, if the key has a live item (protocol.txt "replace"). */
    public WriteResult replace(ItemWrite w) {
        return writes.store(WriteMode.REPLACE, w, false);
    }

    /**
     * Adds w's value after the item's, keeping its client flags and expiry (protocol.txt
     * "append"). With {@code w.casUnique} not 0 the item must have that CAS unique (memcached's
     * binary protocol).
     *
     * @return STORED, NOT_STORED (no item), EXISTS (another CAS unique), TOO_LARGE (the combined
     *         value is longer than {@link #maxItemSize()}) or OUT_OF_MEMORY
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
     * Removes an item (protocol.txt "delete"). Counts delete_hits or delete_misses; a CAS
     * mismatch counts neither, as memcached 1.6's process_bin_delete.
     *
     * @param casUnique 0 for no check, otherwise the CAS unique the item must have (checked
     *                  under the key's bucket locks, atomically with the removal)
     * @return DELETED, EXISTS or NOT_FOUND
     */
    public DeleteResult delete(MemorySegment key, long keyOffset, int keyLength, long casUnique) {
        return writes.delete(key, keyOffset, keyLength, casUnique);
    }

    /**
     * Adds to a number (protocol.txt "Increment/Decrement"): the value must be the decimal text of
     * an unsigned 64-bit number (leading and trailing white space allowed, as memcached's
     * safe_strtoull); the sum wraps at 2^64. The result is stored as decimal text padded with
     * spaces to the old length (as memcached does) with a new CAS unique and the item's client
     * flags and expiry. Counts incr_hits or incr_misses.
     *
     * <p>w gives the key; its CAS unique, if not 0, must be the item's (checked before the value,
     * as memcached's do_add_delta); its reader ({@link ItemWrite#onStored}) gets the new item
     * under the key's bucket locks. With {@link ItemWrite#vivify} a missing item is created from
     * w's value, with client flags 0 and the vivify expiry, counting total_items only
     * (memcached's binary Increment with an initial value).
     *
     * @param delta the amount, read as an unsigned 64-bit number
     * @return UPDATED (changed or created), NOT_FOUND, EXISTS, NON_NUMERIC, TOO_LARGE (the
     *         initial value) or OUT_OF_MEMORY
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
     * Invalidates every item stored before the given time (protocol.txt "flush_all"). Counts
     * cmd_flush. A delayed flush takes effect at the first operation at or after its time; a
     * later call replaces a pending one. Flushed items stay in memory, invisible, until their
     * segment is reclaimed.
     *
     * @param atSeconds Unix seconds; 0 or a time at or before now flushes now
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
     * Changes the memory limit at run time (memcached's "cache_memlimit"). Lowering it evicts
     * until the store fits; a limit above the one the store was opened with is capped to it.
     *
     * @param bytes the new limit in bytes
     * @throws IllegalArgumentException if below the index plus enough segments for the writers
     */
    public void setMemoryLimit(long bytes) {
        allocator.setMemoryLimit(bytes);
    }

    /**
     * Reclaims expired and flushed items, for an owner that turned the background sweeper off
     * ({@link StoreBuilder#sweepExpiredInBackground}): scans at most {@code maxSegments} sealed
     * segments from where the previous call stopped, unlinks their dead items (counting reclaimed
     * and expired_unfetched) and frees segments left empty. Readers are not blocked.
     *
     * @param maxSegments the most segments to scan, 1 or more
     * @return the number of items reclaimed
     * @throws IllegalArgumentException if maxSegments is below 1
     */
    public int sweepExpired(int maxSegments) {
        return sweeper.sweep(maxSegments);
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

    /**
     * Walks the whole region (header, index, segments and their chains, queues, accounting) and
     * returns normally if it is consistent. Only on a quiescent store: a concurrent writer makes
     * it report a false problem. Tests reach it through the test-jar's StoreChecks.
     *
     * @throws IllegalStateException naming the first problem found
     */
    void checkConsistency() {
        new Consistency(region, index, segments, counters, processes).check();
    }

    /**
     * Stops the background sweeper and detaches from the region: seals the segments this store was appending to (so that
     * eviction can reuse them), frees its process-table slot and unmaps the region. A
     * file-backed store's file stays, with its items, for a later open or attach; nothing is
     * destroyed for the other processes using it. Call once no other thread uses this store.
     * Closing a closed store does nothing.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            if (background != null) {
                background.close();
            }
            appender.lockAll();
            try {
                segmentLock.lock();
                try {
                    appender.sealAll();
                } finally {
                    segmentLock.unlock();
                }
                processes.release();
            } finally {
                region.close();
                appender.unlockAll();
            }
        }
    }

    /**
     * Test hook for the crash tests: takes the key's two bucket locks and the segment lock and
     * never releases them, as a process killed in the middle of a write would leave them.
     */
    void holdLocksForCrashTest(MemorySegment key, long keyOffset, int keyLength) {
        long hash = KeyHash.hash(key, keyOffset, keyLength);
        index.lock(index.bucketOf(hash), index.secondBucketOf(hash));
        segmentLock.acquire();
    }
}
