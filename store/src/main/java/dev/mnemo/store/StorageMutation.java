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

    private StorageCommand command;
    private MemorySegment value;
    private long valueOffset;
    private int valueLength;
    private int requestFlags;
    private long exptime;
    private long casUnique;
    private int extraBits;
    private boolean invalidate;
    private ItemReader stored;
    private MetaItem meta;

    private long old;
    private int oldLength;

    StorageMutation(Region region, Liveness liveness, S3Fifo policy, Reads reads) {
        super(region.memory);
        this.liveness = liveness;
        this.policy = policy;
        this.reads = reads;
        this.maxItemSize = region.maxItemSize;
        this.casEnabled = region.casEnabled();
    }

    /**
     * Sets the request (the key is set with {@link #key}).
     *
     * @param casUnique   for cas: the unique the client read; for append and prepend: 0 for no check, else the
     *                    unique the item must have; ignored by set, add and replace
     * @param explicitCas the new item's CAS unique (meta flag E), 0 for the next one
     * @param extraBits   item bits the new item starts with ({@link Items#WIN_TOKEN_SENT}, {@link Items#KEY_BINARY})
     * @param invalidate  meta flag I: a cas whose unique is below the item's stores the item stale,
     *                    keeping its exptime and win-token state
     * @param stored      called with the stored item under the key's bucket locks, through {@code meta} if not null; may be null
     * @return this
     */
    StorageMutation set(StorageCommand command, MemorySegment value, long valueOffset, int valueLength,
                        int clientFlags, long exptime, long casUnique, long explicitCas, int extraBits,
                        boolean invalidate, ItemReader stored, MetaItem meta) {
        this.command = command;
        this.value = value;
        this.valueOffset = valueOffset;
        this.valueLength = valueLength;
        this.requestFlags = clientFlags;
        this.exptime = exptime;
        this.casUnique = casUnique;
        this.explicitCas = explicitCas;
        this.extraBits = extraBits;
        this.invalidate = invalidate;
        this.stored = stored;
        this.meta = meta;
        return this;
    }

    @Override
    boolean readsOld() {
        return command != StorageCommand.SET;
    }

    @Override
    Status decide(long old, int oldValueLength, boolean live, long now) {
        boolean invalidating = invalidate && command == StorageCommand.CAS && live && casEnabled
                && casUnique != 0 && Long.compareUnsigned(casUnique, liveness.casOf(old)) < 0;
        Status refusal = switch (command) {
            case ADD -> live ? Status.NOT_STORED : null;
            case REPLACE -> live ? null : Status.NOT_STORED;
            case APPEND, PREPEND -> !live ? Status.NOT_STORED
                    : casUnique != 0 && !liveness.casMatches(old, casUnique) ? Status.EXISTS : null;
            case CAS -> !live ? Status.NOT_FOUND
                    : liveness.casMatches(old, casUnique) || invalidating ? null : Status.EXISTS;
            case SET -> null;
        };
        if (refusal != null) {
            return refusal;
        }
        boolean combine = command == StorageCommand.APPEND || command == StorageCommand.PREPEND;
        long length = combine ? (long) oldValueLength + valueLength : valueLength;
        if (length > maxItemSize) {
            return Status.TOO_LARGE;
        }
        this.old = old;
        this.oldLength = oldValueLength;
        this.newValueLength = (int) length;
        this.clientFlags = combine ? Items.clientFlags(memory, old) : requestFlags;
        this.expiresAt = combine || invalidating ? Items.exptime(memory, old) : Store.absoluteExptime(exptime, now);
        this.bits = (policy.wasEvictedRecently(hash) ? Items.withFrequency(0, 1) : 0) | extraBits
                | (invalidating ? Items.STALE | (Items.bits(memory, old) & Items.WIN_TOKEN_SENT) : 0);
        return null;
    }

    @Override
    void write(long item, long casDelta, long now) {
        writeHeader(item, casDelta, now);
        writeKey(item);
        long valueAt = Items.keyOffset(item) + keyLength;
        long oldValueAt = command == StorageCommand.APPEND || command == StorageCommand.PREPEND
                ? Items.keyOffset(old) + keyLength : -1;
        if (command == StorageCommand.APPEND) {
            MemorySegment.copy(memory, oldValueAt, memory, valueAt, oldLength);
            MemorySegment.copy(value, valueOffset, memory, valueAt + oldLength, valueLength);
        } else if (command == StorageCommand.PREPEND) {
            MemorySegment.copy(value, valueOffset, memory, valueAt, valueLength);
            MemorySegment.copy(memory, oldValueAt, memory, valueAt + valueLength, oldLength);
        } else {
            MemorySegment.copy(value, valueOffset, memory, valueAt, valueLength);
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
        value = null;
        stored = null;
        meta = null;
    }
}
