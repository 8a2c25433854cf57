package dev.mnemo.store;

import java.lang.foreign.MemorySegment;

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
 * <p>Thread-safe: any number of threads may call any method at once. Readers take no lock;
 * writers contend per index bucket only.
 *
 * <p>Protocol outcomes are {@link Status} values. Programming errors — a null key, a key
 * length outside 1..250, a negative offset or length — throw {@link IllegalArgumentException}
 * and change nothing.
 */
public final class Store implements AutoCloseable {

    /** The longest key, in bytes (protocol.txt "Keys"). */
    public static final int MAX_KEY_LENGTH = 250;

    /** The longest relative exptime, in seconds (30 days); larger values are absolute Unix times. */
    public static final long MAX_RELATIVE_EXPTIME = 60L * 60 * 24 * 30;

    private Store() {
        throw new UnsupportedOperationException("to be implemented");
    }

    /**
     * Opens a store: anonymous memory when {@code config.memoryFile()} is null, otherwise a
     * mapping of that file (created if missing; validated — magic, layout version, geometry —
     * if present, and refused with an exception if it does not match).
     *
     * @param config how to open it
     * @return the open store
     * @throws IllegalArgumentException if the configuration is impossible (e.g. a memory limit
     *                                  too small for one segment and the index)
     * @throws java.io.UncheckedIOException if the memory file cannot be created, read or mapped
     */
    public static Store open(StoreConfig config) {
        throw new UnsupportedOperationException("to be implemented");
    }

    /** @return the configuration the store was opened with */
    public StoreConfig config() {
        throw new UnsupportedOperationException("to be implemented");
    }

    /**
     * Looks an item up (protocol.txt "get"/"gets"). Counts cmd_get and a hit or a miss.
     *
     * @param key       the memory holding the key
     * @param keyOffset offset of the key's first byte in {@code key}
     * @param keyLength key length in bytes, 1 to 250
     * @param reader    called with the item on a hit (possibly more than once, see {@link ItemReader})
     * @return true on a hit, false on a miss
     */
    public boolean get(MemorySegment key, long keyOffset, int keyLength, ItemReader reader) {
        throw new UnsupportedOperationException("to be implemented");
    }

    /**
     * Looks an item up and sets its exptime (protocol.txt "gat"/"gats"). Counts cmd_touch,
     * touch_hits/touch_misses and get_hits/get_misses as memcached does.
     *
     * @param exptime the new expiration time, protocol.txt form
     * @return true on a hit, false on a miss
     */
    public boolean getAndTouch(MemorySegment key, long keyOffset, int keyLength, long exptime, ItemReader reader) {
        throw new UnsupportedOperationException("to be implemented");
    }

    /**
     * Sets an item's exptime without reading it (protocol.txt "touch").
     *
     * @return {@link Status#TOUCHED} or {@link Status#NOT_FOUND}
     */
    public Status touch(MemorySegment key, long keyOffset, int keyLength, long exptime) {
        throw new UnsupportedOperationException("to be implemented");
    }

    /**
     * Executes a storage command (protocol.txt "Storage commands"). The value bytes are copied
     * into the store once.
     *
     * @param command     set, add, replace, append, prepend or cas
     * @param value       the memory holding the data block
     * @param valueOffset offset of its first byte
     * @param valueLength its length in bytes, 0 or more
     * @param clientFlags the 32-bit client flags (ignored by append/prepend, which keep the item's)
     * @param exptime     protocol.txt form (ignored by append/prepend, which keep the item's)
     * @param casUnique   for {@link StorageCommand#CAS}: the unique the client read; ignored otherwise
     * @return STORED, NOT_STORED, EXISTS (cas), NOT_FOUND (cas), TOO_LARGE or OUT_OF_MEMORY
     */
    public Status store(StorageCommand command, MemorySegment key, long keyOffset, int keyLength,
                        MemorySegment value, long valueOffset, int valueLength,
                        int clientFlags, long exptime, long casUnique) {
        throw new UnsupportedOperationException("to be implemented");
    }

    /**
     * Removes an item (protocol.txt "delete").
     *
     * @return {@link Status#DELETED} or {@link Status#NOT_FOUND}
     */
    public Status delete(MemorySegment key, long keyOffset, int keyLength) {
        throw new UnsupportedOperationException("to be implemented");
    }

    /**
     * Adds to or subtracts from a numeric item (protocol.txt "Increment/Decrement"). The value
     * must be the decimal text of an unsigned 64-bit number; incr wraps at 2^64, decr stops
     * at 0. The result is stored as decimal text with the item's flags and exptime kept.
     *
     * @param increment true for incr, false for decr
     * @param delta     the amount, an unsigned 64-bit number
     * @param reader    on success, called with the new item (its value is the new number as text)
     * @return STORED (success), NOT_FOUND, NON_NUMERIC or OUT_OF_MEMORY
     */
    public Status incrDecr(MemorySegment key, long keyOffset, int keyLength, boolean increment, long delta,
                           ItemReader reader) {
        throw new UnsupportedOperationException("to be implemented");
    }

    /**
     * Invalidates every item stored before the given time (protocol.txt "flush_all").
     *
     * @param exptime when to flush, protocol.txt form; 0 or negative means now
     */
    public void flushAll(long exptime) {
        throw new UnsupportedOperationException("to be implemented");
    }

    /**
     * Marks an item stale (meta protocol "md … I"): it stays readable, flagged stale, until
     * replaced.
     *
     * @return {@link Status#STORED} if marked, {@link Status#NOT_FOUND} otherwise
     */
    public Status markStale(MemorySegment key, long keyOffset, int keyLength) {
        throw new UnsupportedOperationException("to be implemented");
    }

    /**
     * Changes the memory limit at run time (memcached's "cache_memlimit"). Lowering it evicts
     * until the store fits; it can never rise above the limit the store was opened with.
     *
     * @param bytes the new limit in bytes
     * @throws IllegalArgumentException if below the minimum the store needs to work
     */
    public void setMemoryLimit(long bytes) {
        throw new UnsupportedOperationException("to be implemented");
    }

    /** @return a snapshot of the counters, under memcached's stats names */
    public StoreStats stats() {
        throw new UnsupportedOperationException("to be implemented");
    }

    /** Zeroes the counters that "stats reset" zeroes in memcached (not curr_items, bytes…). */
    public void resetStats() {
        throw new UnsupportedOperationException("to be implemented");
    }

    /** Unmaps the region; a file-backed store's file stays for a later open. */
    @Override
    public void close() {
        throw new UnsupportedOperationException("to be implemented");
    }
}
