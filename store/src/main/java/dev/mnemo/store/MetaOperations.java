package dev.mnemo.store;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The meta protocol's operations (protocol.txt "Meta Get", "Meta Set", "Meta Delete", "Meta
 * Arithmetic", "Meta Debug"): stale-while-revalidate (invalidated items, win tokens), vivify on
 * miss, explicit CAS uniques, the base64-key flag and me's view of an item, on top of the
 * reads, the writes and the {@link WriteLoop}. {@link Store}'s meta methods delegate here; see
 * them for the contracts. Thread-safe.
 */
final class MetaOperations {

    /** The empty value of an item meta get creates on a miss (flag N). */
    private static final MemorySegment EMPTY = MemorySegment.ofArray(new byte[0]);

    private final Region region;
    private final MemorySegment memory;
    private final Segments segments;
    private final Counters counters;
    private final FlushAll time;
    private final Appender appender;
    private final WriteLoop loop;
    private final Reads reads;
    private final Writes writes;
    private final Liveness liveness;
    private final ThreadLocal<RewriteMutation> rewrites;

    MetaOperations(Region region, Segments segments, Liveness liveness, Counters counters, FlushAll time,
                   Appender appender, WriteLoop loop, Reads reads, Writes writes) {
        this.region = region;
        this.memory = region.memory;
        this.segments = segments;
        this.liveness = liveness;
        this.counters = counters;
        this.time = time;
        this.appender = appender;
        this.loop = loop;
        this.reads = reads;
        this.writes = writes;
        this.rewrites = ThreadLocal.withInitial(() -> new RewriteMutation(region, liveness));
    }

    /** {@link Store#metaGet}. */
    boolean get(MemorySegment key, long keyOffset, int keyLength, MetaItem meta, ItemReader reader) {
        Arguments.checkKey(key, keyOffset, keyLength);
        Objects.requireNonNull(meta, "meta");
        Objects.requireNonNull(reader, "reader");
        long hash = KeyHash.hash(key, keyOffset, keyLength);
        for (;;) {
            long now = time.now();
            long item = reads.lockLive(hash, key, keyOffset, keyLength, now);
            if (item < 0) {
                if (!meta.isVivify()) {
                    counters.getMisses.increment();
                    return false;
                }
                Status created = writes.store(StorageCommand.ADD, key, keyOffset, keyLength, EMPTY, 0, 0, 0, 0, 0,
                        reader, false, meta.explicitCasValue(), Items.WIN_TOKEN_SENT, false, meta, false);
                if (created == Status.NOT_STORED) {
                    continue; // another request created it first: read that item
                }
                if (created != Status.STORED) {
                    return false;
                }
                counters.getHits.increment();
                return true;
            }
            try {
                reads.read(item, keyLength, Items.valueLength(memory, item), now, reader, meta, false);
                if (!meta.isNoBump()) {
                    reads.markRead(item, now);
                }
            } finally {
                reads.unlock(hash);
            }
            (meta.wasTouched() ? counters.touchHits : counters.getHits).increment();
            return true;
        }
    }

    /** {@link Store#metaStore}; {@code dropOnFailure} as {@link Writes#store}, for any mode (memcached's mset). */
    Status store(StorageCommand command, MemorySegment key, long keyOffset, int keyLength,
                 MemorySegment value, long valueOffset, int valueLength, int clientFlags, long exptime,
                 long casUnique, boolean invalidate, long explicitCas, boolean vivify, long vivifyExptime,
                 boolean binaryKey, ItemReader stored, boolean dropOnFailure) {
        boolean combine = command == StorageCommand.APPEND || command == StorageCommand.PREPEND;
        int bits = binaryKey ? Items.KEY_BINARY : 0;
        for (;;) {
            Status status = writes.store(command, key, keyOffset, keyLength, value, valueOffset, valueLength,
                    clientFlags, exptime, casUnique, stored, true, explicitCas, bits, invalidate, null, dropOnFailure);
            if (status != Status.NOT_STORED || !vivify || !combine) {
                return status;
            }
            status = writes.store(StorageCommand.ADD, key, keyOffset, keyLength, value, valueOffset, valueLength,
                    clientFlags, vivifyExptime, 0, stored, false, explicitCas, bits, false, null, dropOnFailure);
            if (status != Status.NOT_STORED) {
                return status;
            }
        }
    }

    /** {@link Store#metaDelete}. */
    Status delete(MemorySegment key, long keyOffset, int keyLength, boolean compareCas, long casUnique,
                  boolean invalidate, boolean dropValue, boolean touch, long exptime, long explicitCas) {
        if (!invalidate && !dropValue) {
            Status status = compareCas && casUnique == 0 ? compareZero(key, keyOffset, keyLength)
                    : writes.delete(key, keyOffset, keyLength, casUnique);
            if (status == Status.EXISTS) {
                counters.deleteMisses.increment();
            }
            return status;
        }
        Status status = keep(key, keyOffset, keyLength, compareCas, casUnique, invalidate, dropValue, touch, exptime,
                explicitCas);
        if (status == Status.NOT_FOUND || status == Status.EXISTS) {
            counters.deleteMisses.increment();
        }
        return status;
    }

    /** {@link Store#markStale}: {@link #keep} with I alone. */
    Status markStale(MemorySegment key, long keyOffset, int keyLength) {
        return keep(key, keyOffset, keyLength, false, 0, true, false, false, 0, 0);
    }

    /**
     * md with I or x, and mark stale: marks the item stale in place (with a new CAS unique, its
     * win token cleared, and with {@code touch} a new exptime) when the new CAS unique fits its
     * segment and its value is kept; otherwise stores a rewritten copy in its place
     * ({@link RewriteMutation}), which needs memory as a store does. Counts nothing.
     *
     * @return STORED, EXISTS, NOT_FOUND or OUT_OF_MEMORY
     */
    private Status keep(MemorySegment key, long keyOffset, int keyLength, boolean compareCas, long casUnique,
                        boolean invalidate, boolean dropValue, boolean touch, long exptime, long explicitCas) {
        Arguments.checkKey(key, keyOffset, keyLength);
        long now = time.now();
        long hash = KeyHash.hash(key, keyOffset, keyLength);
        long expires = touch ? Store.absoluteExptime(exptime, now) : -1;
        Stripe stripe = appender.lockStripe(); // before the bucket locks: stripe locks come first
        try {
            long cas = appender.casFor(stripe, explicitCas);
            if (!dropValue) {
                long item = reads.lockLive(hash, key, keyOffset, keyLength, now);
                if (item < 0) {
                    return Status.NOT_FOUND;
                }
                try {
                    if (compareCas && !liveness.casMatches(item, casUnique)) {
                        return Status.EXISTS;
                    }
                    int segment = region.segmentOf(item);
                    if (segments.admitsCas(segment, cas)) {
                        if (expires >= 0) {
                            Items.setExptime(memory, item, expires);
                        }
                        Items.setBits(memory, item, (Items.bits(memory, item) | Items.STALE) & ~Items.WIN_TOKEN_SENT);
                        Items.setCasDelta(memory, item, segments.casDelta(segment, cas));
                        return Status.STORED;
                    }
                } finally {
                    reads.unlock(hash);
                }
            }
            RewriteMutation m = rewrites.get();
            m.key(key, keyOffset, keyLength);
            m.set(compareCas, casUnique, invalidate, dropValue, expires);
            try {
                return loop.run(m, now, stripe, cas);
            } finally {
                m.clear();
            }
        } finally {
            stripe.lock.unlock();
        }
    }

    /** md C0 with neither I nor x: a live item never has CAS unique 0, so EXISTS; NOT_FOUND (counting delete_misses) if none. */
    private Status compareZero(MemorySegment key, long keyOffset, int keyLength) {
        Arguments.checkKey(key, keyOffset, keyLength);
        long hash = KeyHash.hash(key, keyOffset, keyLength);
        long item = reads.lockLive(hash, key, keyOffset, keyLength, time.now());
        if (item < 0) {
            counters.deleteMisses.increment();
            return Status.NOT_FOUND;
        }
        reads.unlock(hash);
        return Status.EXISTS;
    }

    /** {@link Store#metaArithmetic}. */
    Status arithmetic(MemorySegment key, long keyOffset, int keyLength, boolean increment, long delta,
                      long casUnique, MemorySegment initial, long initialOffset, int initialLength,
                      MetaItem meta, ItemReader reader) {
        Objects.requireNonNull(meta, "meta");
        Objects.requireNonNull(reader, "reader");
        return writes.incrDecr(key, keyOffset, keyLength, increment, delta, casUnique, initial, initialOffset,
                initialLength, 0, meta.explicitCasValue(), meta, reader);
    }

    /** {@link Store#metaDebug}: counts cmd_meta. */
    boolean debug(MemorySegment key, long keyOffset, int keyLength, MetaItem meta, ItemReader reader) {
        Arguments.checkKey(key, keyOffset, keyLength);
        Objects.requireNonNull(meta, "meta");
        Objects.requireNonNull(reader, "reader");
        counters.cmdMeta.increment();
        long now = time.now();
        long hash = KeyHash.hash(key, keyOffset, keyLength);
        long item = reads.lockLive(hash, key, keyOffset, keyLength, now);
        if (item < 0) {
            return false;
        }
        try {
            reads.read(item, keyLength, Items.valueLength(memory, item), now, reader, meta, false);
        } finally {
            reads.unlock(hash);
        }
        return true;
    }
}
