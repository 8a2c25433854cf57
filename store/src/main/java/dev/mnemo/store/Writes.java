package dev.mnemo.store;

import java.lang.foreign.MemorySegment;

/**
 * The write commands with memcached's semantics and stats: the storage commands and incr/decr,
 * each a {@link Mutation} run through the {@link WriteLoop}, and delete. A storage command may
 * drop the key's item when it fails for want of room ({@code dropOnFailure}), as memcached
 * does for a failed set. Thread-safe: each thread reuses its own mutations.
 */
final class Writes {

    private final Region region;
    private final Liveness liveness;
    private final Counters counters;
    private final FlushAll time;
    private final WriteLoop loop;
    private final Reads reads;
    private final ThreadLocal<StorageMutation> storage;
    private final ThreadLocal<ArithmeticMutation> arithmetic;

    Writes(Region region, Liveness liveness, S3Fifo policy, Counters counters, FlushAll time, WriteLoop loop,
           Reads reads) {
        this.region = region;
        this.liveness = liveness;
        this.counters = counters;
        this.time = time;
        this.loop = loop;
        this.reads = reads;
        this.storage = ThreadLocal.withInitial(() -> new StorageMutation(region, liveness, policy, reads));
        this.arithmetic = ThreadLocal.withInitial(() -> new ArithmeticMutation(region, liveness, reads));
    }

    /**
     * A storage command ({@link Store#store}): counts cmd_set (if {@code countSet}; not for an item
     * incr/decr or meta get creates), total_items when stored, cas_hits, cas_badval or cas_misses
     * for cas, store_too_large and store_no_memory for TOO_LARGE and OUT_OF_MEMORY (not cmd_set).
     *
     * @param dropOnFailure on TOO_LARGE or OUT_OF_MEMORY, also unlink the key's item, counting
     *                      what {@link #delete} counts (memcached: "a failed set drops the old
     *                      item", so no stale value outlives it)
     * @see StorageMutation#set for the other arguments
     */
    Status store(StorageCommand command, MemorySegment key, long keyOffset, int keyLength,
                 MemorySegment value, long valueOffset, int valueLength, int clientFlags, long exptime,
                 long casUnique, ItemReader stored, boolean countSet, long explicitCas, int extraBits,
                 boolean invalidate, MetaItem meta, boolean dropOnFailure) {
        Arguments.checkKey(key, keyOffset, keyLength);
        if (command == null) {
            throw new IllegalArgumentException("command is null");
        }
        Arguments.checkRange("value", value, valueOffset, valueLength);
        long now = time.now();
        Status status;
        if (valueLength > region.maxItemSize) {
            status = Status.TOO_LARGE;
        } else {
            StorageMutation m = storage.get();
            m.key(key, keyOffset, keyLength);
            m.set(command, value, valueOffset, valueLength, clientFlags, exptime, casUnique, explicitCas, extraBits,
                    invalidate, stored, meta);
            try {
                status = loop.run(m, now);
            } finally {
                m.clear();
            }
        }
        switch (status) {
            case STORED -> {
                if (countSet) {
                    counters.cmdSet.increment();
                }
                counters.totalItems.increment();
                if (command == StorageCommand.CAS) {
                    counters.casHits.increment();
                }
            }
            case TOO_LARGE -> counters.storeTooLarge.increment();
            case OUT_OF_MEMORY -> { } // counted by the loop
            default -> {
                if (countSet) {
                    counters.cmdSet.increment();
                }
                if (command == StorageCommand.CAS) {
                    (status == Status.NOT_FOUND ? counters.casMisses : counters.casBadval).increment();
                }
            }
        }
        if (dropOnFailure && (status == Status.TOO_LARGE || status == Status.OUT_OF_MEMORY)) {
            delete(key, keyOffset, keyLength, 0);
        }
        return status;
    }

    /**
     * incr/decr ({@link Store#incrDecr}): counts incr_hits/incr_misses or decr_hits/decr_misses,
     * and total_items when the number grew a digit; a missing item is created from
     * {@code initial} if not null (an add counting total_items only).
     *
     * @param exptime     the created item's exptime, protocol.txt form
     * @param explicitCas the new item's CAS unique (meta flag E), 0 for the next one
     * @param meta        the meta request the reader acts through, or null
     */
    Status incrDecr(MemorySegment key, long keyOffset, int keyLength, boolean increment, long delta,
                    long casUnique, MemorySegment initial, long initialOffset, int initialLength, long exptime,
                    long explicitCas, MetaItem meta, ItemReader reader) {
        Arguments.checkKey(key, keyOffset, keyLength);
        if (initial != null) {
            Arguments.checkRange("initial", initial, initialOffset, initialLength);
        }
        long now = time.now();
        ArithmeticMutation m = arithmetic.get();
        m.key(key, keyOffset, keyLength);
        m.set(increment, delta, casUnique, explicitCas, reader, meta);
        try {
            for (;;) {
                Status status = loop.run(m, now);
                if (status == Status.STORED) {
                    (increment ? counters.incrHits : counters.decrHits).increment();
                    if (m.grew()) {
                        counters.totalItems.increment(); // memcached links a new item only when the number grows
                    }
                    return status;
                }
                if (status != Status.NOT_FOUND) {
                    return status;
                }
                if (initial == null) {
                    (increment ? counters.incrMisses : counters.decrMisses).increment();
                    return Status.NOT_FOUND;
                }
                Status created = store(StorageCommand.ADD, key, keyOffset, keyLength, initial, initialOffset,
                        initialLength, 0, exptime, 0, reader, false, explicitCas, 0, false, meta, false);
                if (created != Status.NOT_STORED) {
                    return created;
                }
                // another writer added the key: apply the command to its item
            }
        } finally {
            m.clear();
        }
    }

    /**
     * delete ({@link Store#delete(MemorySegment, long, int, long)}): counts delete_hits or
     * delete_misses; a CAS mismatch counts neither.
     *
     * @param casUnique 0 for no check, otherwise the CAS unique the item must have
     * @return DELETED, EXISTS or NOT_FOUND
     */
    Status delete(MemorySegment key, long keyOffset, int keyLength, long casUnique) {
        Arguments.checkKey(key, keyOffset, keyLength);
        long now = time.now();
        long hash = KeyHash.hash(key, keyOffset, keyLength);
        long item = reads.lockLive(hash, key, keyOffset, keyLength, now);
        if (item < 0) {
            counters.deleteMisses.increment();
            return Status.NOT_FOUND;
        }
        try {
            if (casUnique != 0 && !liveness.casMatches(item, casUnique)) {
                return Status.EXISTS;
            }
            reads.unlinkLocked(hash, item);
        } finally {
            reads.unlock(hash);
        }
        counters.deleteHits.increment();
        return Status.DELETED;
    }
}
