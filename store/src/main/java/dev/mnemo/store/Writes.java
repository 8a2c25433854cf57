package dev.mnemo.store;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

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
     * A storage command as {@link Store#set(ItemWrite)} and its siblings run it: w's client flags,
     * expiry and stored-item reader, with the key-binary bit if w asks for it. Counts cmd_set,
     * total_items when stored, cas_hits, cas_badval or cas_misses for cas, store_too_large and
     * store_no_memory for TOO_LARGE and OUT_OF_MEMORY (not cmd_set).
     *
     * @param dropOnFailure on TOO_LARGE or OUT_OF_MEMORY, also unlink the key's item, counting
     *                      what {@link #delete} counts (memcached: "a failed set drops the old
     *                      item", so no stale value outlives it)
     */
    WriteResult store(WriteMode mode, ItemWrite w, boolean dropOnFailure) {
        return store(mode, w, w.clientFlags, w.expiresAt, 0, w.stored, null, true, dropOnFailure);
    }

    /**
     * An add that creates a missing item for incr/decr with an initial value, meta get's vivify
     * or meta append's: counts total_items only (not cmd_set), as memcached does.
     *
     * @param expiresAt the created item's expiry, Unix seconds, 0 for never
     * @param extraBits item bits it starts with ({@link Items#WIN_TOKEN_SENT})
     * @param meta      the meta request the reader acts through, or null
     */
    WriteResult create(ItemWrite w, int clientFlags, long expiresAt, int extraBits, ItemReader stored, MetaItem meta,
                       boolean dropOnFailure) {
        return store(WriteMode.ADD, w, clientFlags, expiresAt, extraBits, stored, meta, false, dropOnFailure);
    }

    private WriteResult store(WriteMode mode, ItemWrite w, int clientFlags, long expiresAt, int extraBits,
                              ItemReader stored, MetaItem meta, boolean countSet, boolean dropOnFailure) {
        Objects.requireNonNull(w, "write");
        Arguments.checkKey(w.key, w.keyOffset, w.keyLength);
        Arguments.checkRange("value", w.value, w.valueOffset, w.valueLength);
        long now = time.now();
        WriteResult result;
        if (w.valueLength > region.maxItemSize) {
            result = WriteResult.TOO_LARGE;
        } else {
            StorageMutation m = storage.get();
            m.key(w.key, w.keyOffset, w.keyLength);
            m.set(mode, w, clientFlags, expiresAt, extraBits | (w.keyBinary ? Items.KEY_BINARY : 0), stored, meta);
            try {
                result = loop.run(m, now);
            } finally {
                m.clear();
            }
        }
        switch (result) {
            case STORED -> {
                if (countSet) {
                    counters.cmdSet.increment();
                }
                counters.totalItems.increment();
                if (mode == WriteMode.CAS) {
                    counters.casHits.increment();
                }
            }
            case TOO_LARGE -> counters.storeTooLarge.increment();
            case OUT_OF_MEMORY -> { } // counted by the loop
            default -> {
                if (countSet) {
                    counters.cmdSet.increment();
                }
                if (mode == WriteMode.CAS) {
                    (result == WriteResult.NOT_FOUND ? counters.casMisses : counters.casBadval).increment();
                }
            }
        }
        if (dropOnFailure && (result == WriteResult.TOO_LARGE || result == WriteResult.OUT_OF_MEMORY)) {
            delete(w.key, w.keyOffset, w.keyLength, 0);
        }
        return result;
    }

    /**
     * incr/decr ({@link Store#increment(ItemWrite, long)}): w's key, CAS unique (0 for no check)
     * and explicit CAS unique; with {@link ItemWrite#vivify} a missing item is created from w's
     * value (client flags 0, w's vivify expiry). Counts incr_hits/incr_misses or
     * decr_hits/decr_misses, and total_items when the number grew a digit or an item was created.
     *
     * @param meta   the meta request the reader acts through, or null
     * @param reader called with the new or created item under the key's bucket locks; may be null
     */
    ArithmeticResult incrDecr(ItemWrite w, boolean increment, long delta, MetaItem meta, ItemReader reader) {
        Objects.requireNonNull(w, "write");
        Arguments.checkKey(w.key, w.keyOffset, w.keyLength);
        if (w.vivify) {
            Arguments.checkRange("value", w.value, w.valueOffset, w.valueLength);
        }
        long now = time.now();
        ArithmeticMutation m = arithmetic.get();
        m.key(w.key, w.keyOffset, w.keyLength);
        m.set(increment, delta, w.casUnique, w.explicitCas, reader, meta);
        try {
            for (;;) {
                switch (loop.run(m, now)) {
                    case STORED -> {
                        (increment ? counters.incrHits : counters.decrHits).increment();
                        if (m.grew()) {
                            counters.totalItems.increment(); // memcached links a new item only when the number grows
                        }
                        return ArithmeticResult.UPDATED;
                    }
                    case EXISTS -> {
                        return ArithmeticResult.EXISTS;
                    }
                    case NOT_STORED -> {
                        return ArithmeticResult.NON_NUMERIC;
                    }
                    case NOT_FOUND -> {
                        if (!w.vivify) {
                            (increment ? counters.incrMisses : counters.decrMisses).increment();
                            return ArithmeticResult.NOT_FOUND;
                        }
                        switch (create(w, 0, w.vivifyExpiresAt, 0, reader, meta, false)) {
                            case STORED -> {
                                return ArithmeticResult.UPDATED;
                            }
                            case TOO_LARGE -> {
                                return ArithmeticResult.TOO_LARGE;
                            }
                            case OUT_OF_MEMORY -> {
                                return ArithmeticResult.OUT_OF_MEMORY;
                            }
                            default -> {
                                // another writer added the key: apply the command to its item
                            }
                        }
                    }
                    default -> {
                        return ArithmeticResult.OUT_OF_MEMORY;
                    }
                }
            }
        } finally {
            m.clear();
        }
    }

    /**
     * delete ({@link Store#delete(MemorySegment, long, int, long)}): counts
     * delete_hits or delete_misses; a CAS mismatch counts neither.
     *
     * @param casUnique 0 for no check, otherwise the CAS unique the item must have
     * @return DELETED, EXISTS or NOT_FOUND
     */
    DeleteResult delete(MemorySegment key, long keyOffset, int keyLength, long casUnique) {
        Arguments.checkKey(key, keyOffset, keyLength);
        long now = time.now();
        long hash = KeyHash.hash(key, keyOffset, keyLength);
        long item = reads.lockLive(hash, key, keyOffset, keyLength, now);
        if (item < 0) {
            counters.deleteMisses.increment();
            return DeleteResult.NOT_FOUND;
        }
        try {
            if (casUnique != 0 && !liveness.casMatches(item, casUnique)) {
                return DeleteResult.EXISTS;
            }
            reads.unlinkLocked(hash, item);
        } finally {
            reads.unlock(hash);
        }
        counters.deleteHits.increment();
        return DeleteResult.DELETED;
    }
}
