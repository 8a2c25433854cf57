package dev.mnemo.store;

import java.lang.foreign.MemorySegment;

/**
 * The storage commands as a {@link Mutation} (protocol.txt "Storage commands"): set, add,
 * replace, append, prepend and cas, with the meta protocol's extras (an explicit CAS unique,
 * item bits to start with, and invalidation: a cas with an older unique stores the item stale).
 * A new item for a key the ghost table remembers starts with its read counter at 1
 * ({@link S3Fifo#wasEvictedRecently}). Reusable per thread; not thread-safe.
 */
final class StorageMutation extends Mutation {

    private final Liveness liveness;
    private final S3Fifo policy;
    private final Reads reads;
    private final int maxItemSize;
    private final boolean casEnabled;

    private WriteMode mode;
    private ItemWrite w;
    private int requestFlags;
    private long requestExpiresAt;
    private int extraBits;
    private ItemReader stored;
    private MetaItem meta;

    private long old;
    private int oldLength;

    StorageMutation(Region region, Liveness liveness, S3Fifo policy, Reads reads) {
        super(region);
        this.liveness = liveness;
        this.policy = policy;
        this.reads = reads;
        this.maxItemSize = region.maxItemSize;
        this.casEnabled = region.casEnabled();
    }

    /**
     * Sets the request (the key is set with {@link #key}); the value, CAS unique, explicit CAS
     * unique and invalidation come from {@code w}.
     *
     * @param clientFlags the new item's client flags (append and prepend keep the item's)
     * @param expiresAt   the new item's expiry, Unix seconds, 0 for never (append and prepend keep the item's)
     * @param extraBits   item bits the new item starts with ({@link Items#WIN_TOKEN_SENT}, {@link Items#KEY_BINARY})
     * @param stored      called with the stored item under the key's bucket locks, through {@code meta} if not null; may be null
     * @return this
     */
    StorageMutation set(WriteMode mode, ItemWrite w, int clientFlags, long expiresAt, int extraBits,
                        ItemReader stored, MetaItem meta) {
        this.mode = mode;
        this.w = w;
        this.requestFlags = clientFlags;
        this.requestExpiresAt = expiresAt;
        this.explicitCas = w.explicitCas;
        this.extraBits = extraBits;
        this.stored = stored;
        this.meta = meta;
        return this;
    }

    @Override
    boolean readsOld() {
        return mode != WriteMode.SET;
    }

    @Override
    WriteResult decide(long old, int oldValueLength, boolean live, long now) {
        long casUnique = w.casUnique;
        boolean invalidating = w.invalidate && mode == WriteMode.CAS && live && casEnabled
                && casUnique != 0 && Long.compareUnsigned(casUnique, liveness.casOf(old)) < 0;
        WriteResult refusal = switch (mode) {
            case ADD -> live ? WriteResult.NOT_STORED : null;
            case REPLACE -> live ? null : WriteResult.NOT_STORED;
            case APPEND, PREPEND -> !live ? WriteResult.NOT_STORED
                    : casUnique != 0 && !liveness.casMatches(old, casUnique) ? WriteResult.EXISTS : null;
            case CAS -> !live ? WriteResult.NOT_FOUND
                    : liveness.casMatches(old, casUnique) || invalidating ? null : WriteResult.EXISTS;
            case SET -> null;
        };
        if (refusal != null) {
            return refusal;
        }
        boolean combine = mode.combines();
        long length = combine ? (long) oldValueLength + w.valueLength : w.valueLength;
        if (length > maxItemSize) {
            return WriteResult.TOO_LARGE;
        }
        this.old = old;
        this.oldLength = oldValueLength;
        this.newValueLength = (int) length;
        this.clientFlags = combine ? Items.clientFlags(memory, old) : requestFlags;
        this.expiresAt = combine || invalidating ? Items.exptime(memory, old) : Items.expiry(requestExpiresAt);
        this.bits = (policy.wasEvictedRecently(hash) ? Items.withFrequency(0, 1) : 0) | extraBits
                | (invalidating ? Items.STALE | (Items.bits(memory, old) & Items.WIN_TOKEN_SENT) : 0);
        return null;
    }

    @Override
    void write(long item, long casDelta, long now) {
        writeHeader(item, casDelta, now);
        writeKey(item);
        long valueAt = Items.keyOffset(item) + keyLength;
        long oldValueAt = mode.combines() ? Items.keyOffset(old) + keyLength : -1;
        if (mode == WriteMode.APPEND) {
            MemorySegment.copy(memory, oldValueAt, memory, valueAt, oldLength);
            MemorySegment.copy(w.value, w.valueOffset, memory, valueAt + oldLength, w.valueLength);
        } else if (mode == WriteMode.PREPEND) {
            MemorySegment.copy(w.value, w.valueOffset, memory, valueAt, w.valueLength);
            MemorySegment.copy(memory, oldValueAt, memory, valueAt + w.valueLength, oldLength);
        } else {
            MemorySegment.copy(w.value, w.valueOffset, memory, valueAt, w.valueLength);
        }
    }

    @Override
    void published(long item, long now) {
        if (stored != null) {
            reads.read(item, keyLength, newValueLength, now, stored, meta, true);
        }
    }

    /** Drops the references to the request's memory and callbacks, so a thread's mutation keeps nothing alive. */
    void clear() {
        key = null;
        w = null;
        stored = null;
        meta = null;
    }
}
