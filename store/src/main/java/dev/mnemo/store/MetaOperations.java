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

    /**
     * Meta get: looks an item up and hands it to the reader under the key's bucket locks, through
     * {@code meta}, on which the reader applies the request's flags in their order (protocol.txt
     * "Meta Get"; see {@link MetaItem}); their changes are written when it returns. Unless
     * {@link MetaItem#noBump()}, the item is then marked fetched and accessed.
     *
     * <p>On a miss with {@link MetaItem#vivify()}, an empty item is added with client flags 0, no
     * exptime (the reader's {@link MetaItem#vivified} sets it) and its token taken, so that other
     * requests see it held; the reader gets it as {@link MetaItem#created()}. Counts as memcached
     * 1.6.18's mg: touch_hits (cmd_touch) for a hit the reader touched (flag T), else get_hits
     * (cmd_get), a created item included; get_misses for a miss.
     *
     * @param meta   the request's options; the reader's hold on the item
     * @param reader called once with the item (found or created), under the bucket locks: it must
     *               not call back into the store
     * @return true if the reader was called (hit or created), false on a miss
     */
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

    /**
     * Meta set (protocol.txt "Meta Set"): a storage command as
     * {@link Store#store(StorageCommand, MemorySegment, long, int, MemorySegment, long, int, int, long, long, ItemReader)}
     * with the meta flags. The caller maps the mode and C flag to the command (set or replace with
     * a CAS unique is {@link StorageCommand#CAS}).
     *
     * @param invalidate  flag I: a cas whose unique is lower than the item's stores the value anyway,
     *                    marked stale, keeping the item's exptime and win-token state
     * @param explicitCas flag E: the stored item's CAS unique; 0 for the next one
     * @param vivify      flag N with append/prepend: a missing item is added from the value, with
     *                    exptime {@code vivifyExptime} (protocol.txt form: seconds relative up to 30 days, else absolute Unix seconds)
     * @param binaryKey   flag b: the key came base64-encoded; the item remembers it ({@link MetaItem#isKeyBinary()})
     * @param dropOnFailure on TOO_LARGE or OUT_OF_MEMORY, also remove the key's item, in every mode, as
     *                      memcached's mset does ({@link Writes#store})
     * @return as the storage commands
     */
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

    /**
     * Meta delete (protocol.txt "Meta Delete"). Without {@code invalidate} or {@code dropValue}
     * it is {@link Store#delete(MemorySegment, long, int, long)}. With {@code invalidate} (flag I) the
     * item is kept, marked stale, its win token cleared and given a new CAS unique (or
     * {@code explicitCas}), and with {@code touch} (flag T) a new exptime. With {@code dropValue}
     * (flag x) the item is replaced by one with the same key, client flags and exptime and an
     * empty value (stale too with I). Counts delete_hits for a removal, and delete_misses for
     * NOT_FOUND and EXISTS, as memcached 1.6's md does.
     *
     * @param compareCas  flag C: whether the item must have CAS unique {@code casUnique} (0 never matches)
     * @param explicitCas flag E: the kept item's new CAS unique; 0 for the next one
     * @param exptime     with {@code touch}: the kept item's new exptime, protocol.txt form
     * @return DELETED (removed), STORED (kept: marked stale or emptied), EXISTS, NOT_FOUND or OUT_OF_MEMORY
     */
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

    /**
     * Marks an item stale (meta protocol "md … I"): it stays readable, flagged stale, until
     * replaced. As memcached does, this clears the win-token flag and gives the item a new CAS
     * unique. The item is marked in place, unless the new CAS unique lies outside its segment's
     * CAS range (2^31 or more uniques handed out since the segment was begun); then a stale copy
     * is stored in its place, which needs memory as a store does.
     *
     * @return {@link Status#STORED} if marked, {@link Status#NOT_FOUND} if there is no live item,
     *         {@link Status#OUT_OF_MEMORY} if a copy was needed and no memory could be freed
     */
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

    /**
     * Meta arithmetic (protocol.txt "Meta Arithmetic"): incr/decr as
     * {@link Store#incrDecr(MemorySegment, long, int, boolean, long, long, MemorySegment, long, int, long, ItemReader)},
     * creating a missing item from {@code initial} with no exptime, and handing the new or created
     * item to the reader through {@code meta} (on which it applies T and N in their order; see
     * {@link MetaItem}), under the key's bucket locks.
     *
     * @param casUnique flag C: 0 for no check (as memcached's ma), otherwise the unique the item must have
     * @param meta      the request's options ({@link MetaItem#explicitCas}: the new item's CAS unique); the reader's hold
     * @return STORED, EXISTS, NOT_FOUND (only without {@code initial}), NON_NUMERIC, TOO_LARGE or OUT_OF_MEMORY
     */
    Status arithmetic(MemorySegment key, long keyOffset, int keyLength, boolean increment, long delta,
                      long casUnique, MemorySegment initial, long initialOffset, int initialLength,
                      MetaItem meta, ItemReader reader) {
        Objects.requireNonNull(meta, "meta");
        Objects.requireNonNull(reader, "reader");
        return writes.incrDecr(key, keyOffset, keyLength, increment, delta, casUnique, initial, initialOffset,
                initialLength, 0, meta.explicitCasValue(), meta, reader);
    }

    /**
     * Meta debug (protocol.txt "Meta Debug"): hands a live item to the reader without reading it
     * (not marked fetched). Counts cmd_meta ({@link Store#metaDebugCommands()}), as memcached 1.6 does.
     *
     * @param meta   the reader's hold on the item (e.g. for {@link MetaItem#isKeyBinary()}); nothing is changed
     * @param reader called once with the item, under the key's bucket locks
     * @return true if found
     */
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
