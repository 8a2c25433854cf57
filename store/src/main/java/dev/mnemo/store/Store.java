package dev.mnemo.store;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An off-heap memcached item store: the engine behind the server, the embedded API and
 * co-located access (DESIGN.md, "The store — direction").
 *
 * <p>Keys are opaque bytes, 1 to 250 long, passed as (segment, offset, length) so a caller can
 * hand over a slice of a network buffer without copying. Values are copied into the store once
 * on write and handed out through an {@link ItemReader} on read.
 *
 * <p>Expiration times ({@code exptime}) are given exactly as protocol.txt "Expiration times"
 * defines them: 0 never expires; 1 to 2,592,000 is seconds from now; larger is an absolute
 * Unix time in seconds; negative is already expired.
 *
 * <p><b>Memory.</b> Index and items live in one off-heap region: a control area of a
 * 4 KiB header (geometry, CAS counter, segment lock, queue state, process table), 8 KiB of
 * striped statistics counters and 48 bytes of metadata per segment, then, within
 * {@link StoreConfig#memoryLimit()} bytes, the index (64-byte buckets of seven
 * 8-byte slots, one slot per {@value Region#BYTES_PER_SLOT} bytes of the limit; a key may sit in
 * either of two buckets, and a full pair makes room by moving one item to its other bucket),
 * a ghost table (2 bytes per {@value Region#BYTES_PER_GHOST} bytes of the limit), then equal
 * segments that items are appended to. Each item takes a 20-byte header plus its key and value
 * bytes (the header holds the CAS unique as a 4-byte delta from a per-segment base); with its
 * share of the index that is about 31 bytes per item besides key and value (a 64 MiB store
 * holds about 465,000 items of 10-byte keys and 100-byte values, 144 bytes each all in). A
 * segment holds the largest item ({@link StoreConfig#maxItemSize()} value bytes and a 250-byte
 * key) whole: about 1 MiB by default, larger for a larger max item size, and about 1/64 of the
 * memory in a store too small for 64 such segments. Values are never split.
 *
 * <p><b>Eviction.</b> S3-FIFO over segments ({@link S3Fifo}): a small probationary FIFO, a main
 * FIFO and a ghost table of recently evicted keys; reads only bump a 3-bit counter in the item
 * header. Expired and flushed items found on the way are reclaimed, not counted as evictions,
 * and segments whose items are all gone are reused before any live item is evicted.
 *
 * <p><b>Item metadata.</b> Each item records whether it was read since it was stored
 * ({@link ItemView#isFetched()}), a 3-bit read counter for eviction, the stale and win-token
 * flags of the meta protocol, and its last access. As memcached does (ITEM_UPDATE_INTERVAL),
 * a read rewrites the last access only when it is 60 seconds or more old; it is kept as Unix
 * seconds modulo 65,536, so {@link ItemView#lastAccess()} is exact for an item accessed within
 * the last 65,535 seconds (about 18 hours) and aliases for one accessed longer ago.
 *
 * <p><b>Concurrency.</b> Thread-safe: any number of threads may call any method at once.
 * Readers take no lock (a per-bucket seqlock; an {@link ItemReader} may be called again if a
 * writer raced it). Writers lock the key's two index buckets and one of a few append stripes;
 * segment allocation and eviction serialise on one lock. An {@link ItemReader} must not call back
 * into the store: getAndTouch, incrDecr and a store with a reader call it while holding the key's
 * bucket locks.
 *
 * <p><b>Several processes.</b> A file-backed store can be shared: other processes on the host
 * {@link #attach} to it and run every operation with the same semantics, at the same time as the
 * owner. All mutable shared state — index, items, segment queues and metadata, the CAS counter,
 * flush_all's state, the statistics counters, the eviction state — lives in the region; the
 * Java objects hold only per-process caches (a process's open segments and its block of CAS
 * uniques). Trust model: every process that can open the file can read and write every item;
 * the file's permissions are the access control. The processes sharing a file must see each
 * other's process ids (one PID namespace: one host, or containers sharing it), since a lock
 * whose holder's pid is not running is broken.
 *
 * <p><b>Crash safety</b> (issue 7). Any process may die at any instruction. An item's bytes are
 * written, then made part of its segment's chain, then published by one atomic 8-byte slot
 * write ({@link WriteLoop}), so no half-written item is ever visible. Lock words carry the
 * holder's process-table slot: a waiter that finds the holder's process dead breaks the lock
 * and repairs what it left half-done ({@link Index}, {@link SegmentLock}, {@link Recovery}).
 * Every offset and length read from the region is checked before use: a corrupt or hostile
 * file makes an operation throw {@link StoreCorruptedException}, never touch memory outside
 * the region or loop without bound.
 *
 * <p><b>Parts.</b> This class is a facade. {@link Reads} finds items (the lock-free get, touch);
 * {@link Writes} runs the storage commands, incr/decr and delete as {@link Mutation}s through
 * the one {@link WriteLoop}, which appends with the {@link Appender} and publishes in the
 * {@link Index}; {@link MetaOperations} adds the meta protocol's. {@link Liveness} and
 * {@link FlushAll} decide what is expired or flushed; {@link SegmentAllocator}, {@link S3Fifo},
 * {@link Unlinker} and {@link Sweeper} free memory; {@link Region} and {@link RegionHeader}
 * own the layout; {@link Recovery} repairs after crashes.
 *
 * <p>Protocol outcomes are {@link Status} values. Programming errors — a null key, a key
 * length outside 1..250, a negative offset or length — throw {@link IllegalArgumentException}
 * and change nothing. After {@link #close()} every operation on items throws
 * {@link IllegalStateException}.
 */
public final class Store implements AutoCloseable {

    /** The longest key, in bytes (protocol.txt "Keys"). */
    public static final int MAX_KEY_LENGTH = 250;

    /** The longest relative exptime, in seconds (30 days); larger values are absolute Unix times. */
    public static final long MAX_RELATIVE_EXPTIME = 60L * 60 * 24 * 30;

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
    private final AtomicBoolean closed = new AtomicBoolean();

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
    private static Store start(StoreConfig config, Region region, boolean attaching) {
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
            return store;
        } catch (RuntimeException | Error e) {
            store.close();
            throw e;
        }
    }

    /**
     * Opens a store: anonymous memory when {@code config.memoryFile()} is null, otherwise a
     * mapping of that file. A missing file is created with {@link StoreConfig#memoryFileMode()}.
     * An existing file whose header matches (magic, layout version, memory limit, max item size,
     * CAS setting and the geometry they give) is a warm restart: every item stored in it and
     * not since expired, evicted, deleted or flushed is there again with its client flags, CAS
     * unique and exptime (exptimes are absolute Unix times), also after the previous owner was
     * killed at any instruction (see {@link Recovery}); the statistics counters start from
     * zero. A file that does not match is refused, or reinitialised empty when
     * {@link StoreConfig#discardExisting()} says so.
     *
     * @param config how to open it
     * @return the open store
     * @throws IllegalArgumentException if the configuration is impossible (e.g. a memory limit
     *                                  too small for {@value Region#MIN_SEGMENTS} segments and the
     *                                  index), or an existing memory file's header does not match it
     * @throws java.io.UncheckedIOException if the memory file cannot be created, read or mapped
     */
    public static Store open(StoreConfig config) {
        Objects.requireNonNull(config, "config");
        return start(config, Region.open(config), false);
    }

    /**
     * Joins a store that another process (typically the server) has open on a memory file: a
     * co-located client. The geometry is read from the file's header. The returned store has
     * the whole operation API with exactly the semantics of the owner's; every process may
     * operate at once. {@link #close()} detaches without destroying anything.
     *
     * @param memoryFile the file the owner opened with {@link StoreConfig#memoryFile()}
     * @return the attached store, using the system clock
     * @throws IllegalArgumentException     if the file is missing or not a valid Mnemo region
     * @throws java.io.UncheckedIOException if the file cannot be read or mapped
     */
    public static Store attach(Path memoryFile) {
        return attach(memoryFile, Clock.SYSTEM);
    }

    /**
     * As {@link #attach(Path)}, with a time source (tests).
     *
     * @param memoryFile the owner's memory file
     * @param clock      the time source; it should agree with the owner's
     * @return the attached store
     */
    public static Store attach(Path memoryFile, Clock clock) {
        Objects.requireNonNull(memoryFile, "memoryFile");
        Objects.requireNonNull(clock, "clock");
        Region region = Region.attach(memoryFile);
        StoreConfig config = new StoreConfig(region.memoryLimit, region.maxItemSize, memoryFile, clock,
                region.casEnabled(), StoreConfig.DEFAULT_MEMORY_FILE_MODE, false);
        return start(config, region, true);
    }

    /**
     * Walks the whole region — header, index buckets and slots, segments and their item chains,
     * queue and free-list membership, open segments' owners (a live process or the evictor),
     * each segment's linked items, curr_items and bytes accounting — and returns normally
     * if it is consistent. Call it only on a quiescent store: no thread or attached process may
     * be writing meanwhile (a concurrent writer makes it report a false problem).
     *
     * @throws IllegalStateException naming the first problem found
     */
    public void checkConsistency() {
        new Consistency(region, index, segments, counters, processes).check();
    }

    /** @return the configuration the store was opened with */
    public StoreConfig config() {
        return config;
    }

    /**
     * Looks an item up (protocol.txt "get"/"gets"). Counts cmd_get and a hit or a miss
     * (get_expired or get_flushed too when the item found had expired or was flushed).
     *
     * @param key       the memory holding the key
     * @param keyOffset offset of the key's first byte in {@code key}
     * @param keyLength key length in bytes, 1 to 250
     * @param reader    called with the item on a hit (possibly more than once, see {@link ItemReader})
     * @return true on a hit, false on a miss
     */
    public boolean get(MemorySegment key, long keyOffset, int keyLength, ItemReader reader) {
        return reads.get(key, keyOffset, keyLength, reader);
    }

    /**
     * Looks an item up and sets its exptime (protocol.txt "gat"/"gats"). Counts cmd_touch and
     * touch_hits or touch_misses, as memcached 1.6 does (not cmd_get, get_hits or get_misses).
     * The reader is called once, under the key's bucket locks.
     *
     * @param exptime the new expiration time, protocol.txt form
     * @return true on a hit, false on a miss
     */
    public boolean getAndTouch(MemorySegment key, long keyOffset, int keyLength, long exptime, ItemReader reader) {
        return reads.getAndTouch(key, keyOffset, keyLength, exptime, reader);
    }

    /**
     * Sets an item's exptime without reading it (protocol.txt "touch"). Counts cmd_touch and
     * touch_hits or touch_misses.
     *
     * @return {@link Status#TOUCHED} or {@link Status#NOT_FOUND}
     */
    public Status touch(MemorySegment key, long keyOffset, int keyLength, long exptime) {
        return reads.touch(key, keyOffset, keyLength, exptime, null) ? Status.TOUCHED : Status.NOT_FOUND;
    }

    /**
     * Executes a storage command (protocol.txt "Storage commands"). The value bytes are copied
     * into the store once. Counts cmd_set (unless TOO_LARGE or OUT_OF_MEMORY, which count
     * store_too_large and store_no_memory), total_items when stored, and cas_hits, cas_badval
     * or cas_misses for cas.
     *
     * @param command     set, add, replace, append, prepend or cas
     * @param value       the memory holding the data block
     * @param valueOffset offset of its first byte
     * @param valueLength its length in bytes, 0 or more; the value (for append/prepend, the
     *                    combined value) must not exceed {@link StoreConfig#maxItemSize()}
     * @param clientFlags the 32-bit client flags (ignored by append/prepend, which keep the item's)
     * @param exptime     protocol.txt form (ignored by append/prepend, which keep the item's)
     * @param casUnique   for {@link StorageCommand#CAS}: the unique the client read; ignored otherwise
     * @return STORED, NOT_STORED, EXISTS (cas), NOT_FOUND (cas), TOO_LARGE or OUT_OF_MEMORY
     * @throws IllegalArgumentException for a bad key, a null command or value, or a value range
     *                                  outside {@code value}
     */
    public Status store(StorageCommand command, MemorySegment key, long keyOffset, int keyLength,
                        MemorySegment value, long valueOffset, int valueLength,
                        int clientFlags, long exptime, long casUnique) {
        return writes.store(command, key, keyOffset, keyLength, value, valueOffset, valueLength, clientFlags, exptime,
                command == StorageCommand.CAS ? casUnique : 0, null, true, 0, 0, false, null, false);
    }

    /**
     * Executes a storage command as {@link #store(StorageCommand, MemorySegment, long, int, MemorySegment, long,
     * int, int, long, long)} does, with a CAS check for append/prepend too (memcached's binary
     * protocol: "BinaryProtocolRevamped", Append/Prepend; do_store_item of memcached 1.6) and the
     * stored item handed to {@code stored}, so the caller learns its new CAS unique without a
     * second lookup (which would count a get and mark the item read). The CAS check is made under
     * the key's bucket locks, atomically with the store.
     *
     * @param casUnique for {@link StorageCommand#CAS}: the unique the client read; for append and
     *                  prepend: 0 for no check, otherwise the item's must equal it (a mismatch is
     *                  EXISTS, a missing item NOT_STORED); ignored by set, add and replace
     * @param stored    when the item was stored, called once with it (its
     *                  {@link ItemView#casUnique()} is the new CAS unique), under the key's bucket
     *                  locks: it must not call back into the store; may be null
     * @return STORED, NOT_STORED, EXISTS (cas; append/prepend with a CAS unique), NOT_FOUND (cas),
     *         TOO_LARGE or OUT_OF_MEMORY
     * @throws IllegalArgumentException for a bad key, a null command or value, or a value range
     *                                  outside {@code value}
     */
    public Status store(StorageCommand command, MemorySegment key, long keyOffset, int keyLength,
                        MemorySegment value, long valueOffset, int valueLength,
                        int clientFlags, long exptime, long casUnique, ItemReader stored) {
        return writes.store(command, key, keyOffset, keyLength, value, valueOffset, valueLength, clientFlags, exptime,
                casUnique, stored, true, 0, 0, false, null, false);
    }

    /**
     * Executes a storage command as {@link #store(StorageCommand, MemorySegment, long, int, MemorySegment, long,
     * int, int, long, long, ItemReader)} does and, if it fails with TOO_LARGE or OUT_OF_MEMORY,
     * removes the key's item in the same call, under the key's bucket locks, counting delete_hits
     * or delete_misses as {@link #delete(MemorySegment, long, int)} does: memcached's "a failed set
     * drops the old item", so that no stale value outlives a failed set (process_update_command of
     * memcached 1.6 unlinks it when the item cannot be allocated). The protocols use it for set
     * (text set, binary SET and SETQ, with or without a CAS unique); a caller that removes the
     * item itself must not use it too, or the second removal counts a delete miss.
     *
     * @return as {@code store}
     */
    public Status storeOrDrop(StorageCommand command, MemorySegment key, long keyOffset, int keyLength,
                              MemorySegment value, long valueOffset, int valueLength,
                              int clientFlags, long exptime, long casUnique, ItemReader stored) {
        return writes.store(command, key, keyOffset, keyLength, value, valueOffset, valueLength, clientFlags, exptime,
                casUnique, stored, true, 0, 0, false, null, true);
    }

    /**
     * Removes an item (protocol.txt "delete"). Counts delete_hits or delete_misses.
     *
     * @return {@link Status#DELETED} or {@link Status#NOT_FOUND}
     */
    public Status delete(MemorySegment key, long keyOffset, int keyLength) {
        return writes.delete(key, keyOffset, keyLength, 0);
    }

    /**
     * Removes an item if its CAS unique matches (memcached's binary Delete with a CAS; the check is
     * made under the key's bucket locks, atomically with the removal). Counts delete_hits or
     * delete_misses; a mismatch counts neither, as in memcached 1.6's process_bin_delete.
     *
     * @param casUnique 0 for no check, otherwise the CAS unique the item must have
     * @return {@link Status#DELETED}, {@link Status#EXISTS} (the item has another CAS unique) or
     *         {@link Status#NOT_FOUND}
     */
    public Status delete(MemorySegment key, long keyOffset, int keyLength, long casUnique) {
        return writes.delete(key, keyOffset, keyLength, casUnique);
    }

    /**
     * Adds to or subtracts from a numeric item (protocol.txt "Increment/Decrement"). The value
     * must be the decimal text of an unsigned 64-bit number (as memcached's {@code safe_strtoull}
     * reads it: leading white space and trailing white space allowed); incr wraps at 2^64, decr
     * stops at 0. The result is stored as decimal text with the item's flags and exptime kept
     * and a new CAS unique; as in memcached, a result shorter than the old value is padded
     * with spaces to the old length, so a client reading it back sees e.g. "9 " after
     * decrementing "10". Counts incr_hits/incr_misses or decr_hits/decr_misses.
     *
     * @param increment true for incr, false for decr
     * @param delta     the amount, an unsigned 64-bit number
     * @param reader    on success, called once with the new item (its value is the new number as
     *                  text), under the key's bucket locks; may be null
     * @return STORED (success), NOT_FOUND, NON_NUMERIC or OUT_OF_MEMORY
     */
    public Status incrDecr(MemorySegment key, long keyOffset, int keyLength, boolean increment, long delta,
                           ItemReader reader) {
        return writes.incrDecr(key, keyOffset, keyLength, increment, delta, 0, null, 0, 0, 0, 0, null, reader);
    }

    /**
     * Adds to or subtracts from a numeric item as {@link #incrDecr(MemorySegment, long, int, boolean, long,
     * ItemReader)} does, if its CAS unique matches (memcached's binary Increment/Decrement with a
     * CAS: do_add_delta of memcached 1.6 checks it before the value, and a mismatch counts
     * nothing). The check is made under the key's bucket locks, atomically with the update.
     *
     * @param casUnique 0 for no check, otherwise the CAS unique the item must have
     * @return STORED (success), EXISTS (the item has another CAS unique), NOT_FOUND, NON_NUMERIC
     *         or OUT_OF_MEMORY
     */
    public Status incrDecr(MemorySegment key, long keyOffset, int keyLength, boolean increment, long delta,
                           long casUnique, ItemReader reader) {
        return writes.incrDecr(key, keyOffset, keyLength, increment, delta, casUnique, null, 0, 0, 0, 0, null, reader);
    }

    /**
     * Adds to or subtracts from a numeric item as {@link #incrDecr(MemorySegment, long, int, boolean, long,
     * long, ItemReader)} does, creating a missing item from {@code initial} (memcached's binary
     * Increment/Decrement with an expiration other than 0xffffffff; process_bin_arithmetic of
     * memcached 1.6): the item is added with client flags 0 and the given exptime, whatever
     * {@code casUnique} is, and counts total_items only (neither cmd_set nor incr_misses or
     * decr_misses, as in memcached). If another writer adds the key first, the command is applied
     * to that item instead.
     *
     * @param initial       the memory holding the initial value's decimal text, or null to answer
     *                      NOT_FOUND for a missing item
     * @param initialOffset offset of its first byte
     * @param initialLength its length in bytes
     * @param exptime       the created item's expiration time, protocol.txt form
     * @param reader        on success, called once with the new or created item, under the key's
     *                      bucket locks; may be null
     * @return STORED (updated or created), EXISTS, NOT_FOUND (only without {@code initial}),
     *         NON_NUMERIC, TOO_LARGE or OUT_OF_MEMORY
     */
    public Status incrDecr(MemorySegment key, long keyOffset, int keyLength, boolean increment, long delta,
                           long casUnique, MemorySegment initial, long initialOffset, int initialLength, long exptime,
                           ItemReader reader) {
        return writes.incrDecr(key, keyOffset, keyLength, increment, delta, casUnique, initial, initialOffset, initialLength,
                exptime, 0, null, reader);
    }

    /**
     * Invalidates every item stored before the given time (protocol.txt "flush_all"). Counts
     * cmd_flush. A delayed flush takes effect at the first operation at or after its time;
     * a later call replaces an earlier pending one. Flushed items stay in memory, invisible,
     * until their segment is reclaimed (counted as get_flushed when a get finds one).
     *
     * @param exptime when to flush, protocol.txt form; 0 or negative means now
     */
    public void flushAll(long exptime) {
        flush.flushAll(exptime);
    }

    /** Marks an item stale (meta protocol "md … I"); see {@code MetaOperations.markStale} for the contract. */
    public Status markStale(MemorySegment key, long keyOffset, int keyLength) {
        return meta.markStale(key, keyOffset, keyLength);
    }

    /** Meta get (protocol.txt "Meta Get"), with vivify on a miss; see {@code MetaOperations.get} for the contract. */
    public boolean metaGet(MemorySegment key, long keyOffset, int keyLength, MetaItem meta, ItemReader reader) {
        return this.meta.get(key, keyOffset, keyLength, meta, reader);
    }

    /** Meta set (protocol.txt "Meta Set"); see {@code MetaOperations.store} for the contract. */
    public Status metaStore(StorageCommand command, MemorySegment key, long keyOffset, int keyLength,
                            MemorySegment value, long valueOffset, int valueLength, int clientFlags, long exptime,
                            long casUnique, boolean invalidate, long explicitCas, boolean vivify, long vivifyExptime,
                            boolean binaryKey, ItemReader stored) {
        return meta.store(command, key, keyOffset, keyLength, value, valueOffset, valueLength, clientFlags, exptime,
                casUnique, invalidate, explicitCas, vivify, vivifyExptime, binaryKey, stored, false);
    }

    /**
     * Meta set as {@link #metaStore}, removing the key's item in the same call if the store fails
     * with TOO_LARGE or OUT_OF_MEMORY, in every mode, as memcached's mset does (see
     * {@link #storeOrDrop}; counts delete_hits or delete_misses as a delete does).
     *
     * @return as {@code metaStore}
     */
    public Status metaStoreOrDrop(StorageCommand command, MemorySegment key, long keyOffset, int keyLength,
                                  MemorySegment value, long valueOffset, int valueLength, int clientFlags, long exptime,
                                  long casUnique, boolean invalidate, long explicitCas, boolean vivify,
                                  long vivifyExptime, boolean binaryKey, ItemReader stored) {
        return meta.store(command, key, keyOffset, keyLength, value, valueOffset, valueLength, clientFlags, exptime,
                casUnique, invalidate, explicitCas, vivify, vivifyExptime, binaryKey, stored, true);
    }

    /** Meta delete (protocol.txt "Meta Delete"), with invalidation and value dropping; see {@code MetaOperations.delete}. */
    public Status metaDelete(MemorySegment key, long keyOffset, int keyLength, boolean compareCas, long casUnique,
                             boolean invalidate, boolean dropValue, boolean touch, long exptime, long explicitCas) {
        return meta.delete(key, keyOffset, keyLength, compareCas, casUnique, invalidate, dropValue, touch, exptime,
                explicitCas);
    }

    /** Meta arithmetic (protocol.txt "Meta Arithmetic"); see {@code MetaOperations.arithmetic} for the contract. */
    public Status metaArithmetic(MemorySegment key, long keyOffset, int keyLength, boolean increment, long delta,
                                 long casUnique, MemorySegment initial, long initialOffset, int initialLength,
                                 MetaItem meta, ItemReader reader) {
        return this.meta.arithmetic(key, keyOffset, keyLength, increment, delta, casUnique, initial, initialOffset,
                initialLength, meta, reader);
    }

    /** Meta debug (protocol.txt "Meta Debug"); see {@code MetaOperations.debug} for the contract. */
    public boolean metaDebug(MemorySegment key, long keyOffset, int keyLength, MetaItem meta, ItemReader reader) {
        return this.meta.debug(key, keyOffset, keyLength, meta, reader);
    }

    /**
     * Changes the memory limit at run time (memcached's "cache_memlimit"). Lowering it evicts
     * until the store fits; a limit above the one the store was opened with is capped to it.
     *
     * @param bytes the new limit in bytes
     * @throws IllegalArgumentException if below the minimum the store needs to work: the
     *                                  index plus enough segments for the writer stripes
     */
    public void setMemoryLimit(long bytes) {
        allocator.setMemoryLimit(bytes);
    }

    /**
     * Reclaims expired and flushed items proactively, for the server to call about once a
     * second: scans at most {@code maxSegments} sealed segments, going on round the region
     * from where the previous call stopped, unlinks their expired and flushed items (counting
     * reclaimed and expired_unfetched), and frees segments left with no items. Serialises with
     * segment allocation; readers are not blocked.
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

    /** @return memcached's cmd_meta: the meta debug (me) commands executed since the last stats reset */
    public long metaDebugCommands() {
        return counters.cmdMeta.sum();
    }

    /** Zeroes the counters that "stats reset" zeroes in memcached (not curr_items, bytes…). */
    public void resetStats() {
        counters.reset();
    }

    /**
     * Detaches from the region: seals the segments this store was appending to (so that
     * eviction can reuse them), frees its process-table slot and unmaps the region. A
     * file-backed store's file stays, with its items, for a later open or attach; nothing is
     * destroyed for the other processes using it. Call once no other thread uses this store.
     * Closing a closed store does nothing.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
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

    /** Converts a protocol.txt exptime to absolute Unix seconds (unsigned 32-bit), 0 for never, 1 for already expired. */
    static long absoluteExptime(long exptime, long now) {
        if (exptime == 0) {
            return 0;
        }
        if (exptime < 0) {
            return 1;
        }
        long at = exptime <= MAX_RELATIVE_EXPTIME ? now + exptime : exptime;
        return Math.min(Math.max(at, 1), 0xFFFF_FFFFL);
    }
}
