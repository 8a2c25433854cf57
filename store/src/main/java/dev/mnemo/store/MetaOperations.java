package dev.mnemo.store;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The meta protocol's operations (protocol.txt "Meta Commands": "Meta Get", "Meta Set", "Meta
 * Delete", "Meta Arithmetic", "Meta Debug"), obtained from {@link Store#meta()}:
 * stale-while-revalidate (invalidated items, win tokens), vivify on miss, explicit CAS uniques,
 * the base64-key flag and me's view of an item, on top of the store's reads, writes and
 * {@link WriteLoop}. An application has no need of them; the meta protocol does.
 *
 * <p>Keys are (memory, offset, length) as in {@link Store}; expiry times are absolute Unix
 * seconds, 0 for never (the protocol converts protocol.txt's exptimes). Thread-safe; allocates
 * nothing per call. Readers are called under the key's bucket locks and must not call back into
 * the store.
 */
public final class MetaOperations {

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
    private final ThreadLocal<ItemWrite> creates = ThreadLocal.withInitial(ItemWrite::new);

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
     * Meta get (protocol.txt "Meta Get"): looks an item up and hands it to the reader under the
     * key's bucket locks, through {@code meta}, on which the reader applies the request's flags in
     * their order (see {@link MetaItem}); their changes are written when it returns. Unless
     * {@link MetaItem#noBump()}, the item is then marked fetched and accessed.
     *
     * <p>On a miss with {@link MetaItem#vivify()}, an empty item is added with client flags 0, no
     * expiry (the reader's {@link MetaItem#vivified} sets it) and its token taken, so that other
     * requests see it held; the reader gets it as {@link MetaItem#created()}. Counts as memcached
     * 1.6.18's mg: touch_hits (cmd_touch) for a hit the reader touched (flag T), else get_hits
     * (cmd_get), a created item included; get_misses for a miss.
     *
     * @param meta   the request's options; the reader's hold on the item
     * @param reader called once with the item (found or created), under the bucket locks
     * @return true if the reader was called (hit or created), false on a miss
     * @throws IllegalArgumentException for a bad key
     */
    public boolean get(MemorySegment key, long keyOffset, int keyLength, MetaItem meta, ItemReader reader) {
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
                ItemWrite w = creates.get().reset() // an empty value
                       .key(key, keyOffset, keyLength).explicitCas(meta.explicitCasValue());
                WriteResult created;
                try {
                    created = writes.create(w, 0, 0, Items.WIN_TOKEN_SENT, reader, meta, false);
                } finally {
                    w.reset();
                }
                if (created == WriteResult.NOT_STORED) {
                    continue; // another request created it first: read that item
                }
                if (created != WriteResult.STORED) {
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
     * Meta set in mode S (protocol.txt "Meta Set"): {@link Store#set(ItemWrite)} with w's meta
     * options (explicit CAS unique, base64-key flag). As every meta set mode, on TOO_LARGE or
     * OUT_OF_MEMORY it removes the key's old item in the same call (memcached's ms), counting
     * delete_hits or delete_misses.
     *
     * @return as {@link Store#set(ItemWrite)}
     */
    public WriteResult set(ItemWrite w) {
        return store(WriteMode.SET, w);
    }

    /** Meta set in mode E: as {@link Store#add(ItemWrite)} (a CAS unique is ignored), dropping as {@link #set}. */
    public WriteResult add(ItemWrite w) {
        return store(WriteMode.ADD, w);
    }

    /** Meta set in mode R without C: as {@link Store#replace(ItemWrite)}, dropping as {@link #set}. */
    public WriteResult replace(ItemWrite w) {
        return store(WriteMode.REPLACE, w);
    }

    /**
     * Meta set in mode A: as {@link Store#append(ItemWrite)}, dropping as {@link #set}; with
     * {@link ItemWrite#vivify} (flag N) a missing item is added from the value with w's client
     * flags and the vivify expiry.
     */
    public WriteResult append(ItemWrite w) {
        return store(WriteMode.APPEND, w);
    }

    /** Meta set in mode P: as {@link #append}, the value going before the item's. */
    public WriteResult prepend(ItemWrite w) {
        return store(WriteMode.PREPEND, w);
    }

    /**
     * Meta set in mode S or R with C: as {@link Store#compareAndSet(ItemWrite)}, dropping as
     * {@link #set}; with {@link ItemWrite#invalidate()} (flag I) a CAS unique below the item's
     * stores the value anyway, marked stale, keeping the item's expiry and win-token state.
     */
    public WriteResult compareAndSet(ItemWrite w) {
        return store(WriteMode.CAS, w);
    }

    private WriteResult store(WriteMode mode, ItemWrite w) {
        for (;;) {
            WriteResult result = writes.store(mode, w, true);
            if (result != WriteResult.NOT_STORED || !w.vivify || !mode.combines()) {
                return result;
            }
            result = writes.create(w, w.clientFlags, w.vivifyExpiresAt, 0, w.stored, null, true);
            if (result != WriteResult.NOT_STORED) {
                return result;
            }
        }
    }

    /**
     * Meta delete (protocol.txt "Meta Delete"). Without {@code invalidate} or {@code dropValue}
     * it is {@link Store#delete(MemorySegment, long, int, long)}. With {@code invalidate} (flag I)
     * the item is kept, marked stale, its win token cleared and given a new CAS unique (or
     * {@code explicitCas}), and with {@code touchExpiresAt} (flag T) a new expiry. With
     * {@code dropValue} (flag x) the item is replaced by one with the same key, client flags and
     * expiry and an empty value (stale too with I). Counts delete_hits for a removal, and
     * delete_misses for NOT_FOUND and EXISTS, as memcached 1.6's md does.
     *
     * @param compareCas     flag C: whether the item must have CAS unique {@code casUnique} (0 never matches)
     * @param touchExpiresAt the kept item's new expiry (Unix seconds, 0 for never), or -1 to keep its own
     * @param explicitCas    flag E: the kept item's new CAS unique; 0 for the next one
     * @return DELETED (removed, or kept as asked), EXISTS, NOT_FOUND or OUT_OF_MEMORY (a copy was
     *         needed and no memory could be freed)
     * @throws IllegalArgumentException for a bad key
     */
    public DeleteResult delete(MemorySegment key, long keyOffset, int keyLength, boolean compareCas, long casUnique,
                               boolean invalidate, boolean dropValue, long touchExpiresAt, long explicitCas) {
        DeleteResult result;
        if (!invalidate && !dropValue) {
            result = compareCas && casUnique == 0 ? compareZero(key, keyOffset, keyLength)
                    : writes.delete(key, keyOffset, keyLength, casUnique);
            if (result == DeleteResult.EXISTS) {
                counters.deleteMisses.increment();
            }
            return result;
        }
        result = switch (keep(key, keyOffset, keyLength, compareCas, casUnique, invalidate, dropValue, touchExpiresAt,
                explicitCas)) {
            case STORED -> DeleteResult.DELETED;
            case EXISTS -> DeleteResult.EXISTS;
            case NOT_FOUND -> DeleteResult.NOT_FOUND;
            default -> DeleteResult.OUT_OF_MEMORY;
        };
        if (result == DeleteResult.NOT_FOUND || result == DeleteResult.EXISTS) {
            counters.deleteMisses.increment();
        }
        return result;
    }

    /**
     * md with I or x: marks the item stale in place (with a new CAS unique, its
     * win token cleared, and with a touch a new expiry) when the new CAS unique fits its
     * segment and its value is kept; otherwise stores a rewritten copy in its place
     * ({@link RewriteMutation}), which needs memory as a store does. Counts nothing.
     *
     * @return STORED, EXISTS, NOT_FOUND or OUT_OF_MEMORY
     */
    private WriteResult keep(MemorySegment key, long keyOffset, int keyLength, boolean compareCas, long casUnique,
                             boolean invalidate, boolean dropValue, long touchExpiresAt, long explicitCas) {
        Arguments.checkKey(key, keyOffset, keyLength);
        long now = time.now();
        long hash = KeyHash.hash(key, keyOffset, keyLength);
        long expires = touchExpiresAt < 0 ? -1 : Items.expiry(touchExpiresAt);
        Stripe stripe = appender.lockStripe(); // before the bucket locks: stripe locks come first
        try {
            long cas = appender.casFor(stripe, explicitCas);
            if (!dropValue) {
                long item = reads.lockLive(hash, key, keyOffset, keyLength, now);
                if (item < 0) {
                    return WriteResult.NOT_FOUND;
                }
                try {
                    if (compareCas && !liveness.casMatches(item, casUnique)) {
                        return WriteResult.EXISTS;
                    }
                    int segment = region.segmentOf(item);
                    if (segments.admitsCas(segment, cas)) {
                        if (expires >= 0) {
                            Items.setExptime(memory, item, expires);
                        }
                        Items.setBits(memory, item, (Items.bits(memory, item) | Items.STALE) & ~Items.WIN_TOKEN_SENT);
                        Items.setCasDelta(memory, item, segments.casDelta(segment, cas));
                        return WriteResult.STORED;
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
    private DeleteResult compareZero(MemorySegment key, long keyOffset, int keyLength) {
        Arguments.checkKey(key, keyOffset, keyLength);
        long hash = KeyHash.hash(key, keyOffset, keyLength);
        long item = reads.lockLive(hash, key, keyOffset, keyLength, time.now());
        if (item < 0) {
            counters.deleteMisses.increment();
            return DeleteResult.NOT_FOUND;
        }
        reads.unlock(hash);
        return DeleteResult.EXISTS;
    }

    /**
     * Meta arithmetic (protocol.txt "Meta Arithmetic"): {@link Store#increment(ItemWrite, long)}
     * with w's key, CAS unique (flag C; 0 for no check, as memcached's ma), explicit CAS unique
     * (flag E) and, with {@link ItemWrite#vivify} (flag N), a missing item created from w's value;
     * the reader gets the new or created item through {@code meta}, on which it applies T and N in
     * their order (see {@link MetaItem}), under the key's bucket locks.
     *
     * @param meta   the reader's hold on the item
     * @param reader called once with the new or created item
     * @return as {@link Store#increment(ItemWrite, long)}
     */
    public ArithmeticResult increment(ItemWrite w, long delta, MetaItem meta, ItemReader reader) {
        return arithmetic(w, true, delta, meta, reader);
    }

    /** Meta arithmetic in mode D: as {@link #increment}, subtracting and stopping at 0. */
    public ArithmeticResult decrement(ItemWrite w, long delta, MetaItem meta, ItemReader reader) {
        return arithmetic(w, false, delta, meta, reader);
    }

    private ArithmeticResult arithmetic(ItemWrite w, boolean increment, long delta, MetaItem meta, ItemReader reader) {
        Objects.requireNonNull(meta, "meta");
        Objects.requireNonNull(reader, "reader");
        return writes.incrDecr(w, increment, delta, meta, reader);
    }

    /**
     * Meta debug (protocol.txt "Meta Debug"): hands a live item to the reader without reading it
     * (not marked fetched). Counts cmd_meta ({@link #debugCommands()}), as memcached 1.6 does.
     *
     * @param meta   the reader's hold on the item (e.g. for {@link MetaItem#isKeyBinary()}); nothing is changed
     * @param reader called once with the item, under the key's bucket locks
     * @return true if found
     * @throws IllegalArgumentException for a bad key
     */
    public boolean debug(MemorySegment key, long keyOffset, int keyLength, MetaItem meta, ItemReader reader) {
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

    /** @return memcached's cmd_meta: the meta debug (me) commands since open or the last stats reset */
    public long debugCommands() {
        return counters.cmdMeta.sum();
    }
}
