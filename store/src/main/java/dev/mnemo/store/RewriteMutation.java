package dev.mnemo.store;

import java.lang.foreign.MemorySegment;

/**
 * A copy of a live item as a {@link Mutation}: the same key, client flags, read bits and last
 * access, a new CAS unique, optionally stale, with its value dropped, or with a new exptime. The
 * meta protocol's md with I or x, and marking stale when the new CAS unique does not fit the
 * item's segment, store it in the item's place. Refuses a missing or dead item (NOT_FOUND) and,
 * when asked to compare, another CAS unique (EXISTS). Reusable per thread; not thread-safe.
 */
final class RewriteMutation extends Mutation {

    private final Liveness liveness;

    private boolean compareCas;
    private long casUnique;
    private boolean stale;
    private boolean dropValue;
    private long newExptime;

    private long old;

    RewriteMutation(Region region, Liveness liveness) {
        super(region);
        this.liveness = liveness;
    }

    /**
     * Sets the request (the key is set with {@link #key}).
     *
     * @param compareCas whether the item must have CAS unique {@code casUnique} (0 never matches)
     * @param stale      whether the copy is marked stale
     * @param dropValue  whether the copy's value is empty
     * @param expires    the copy's exptime (absolute Unix seconds, 0 for never), or -1 to keep the item's
     * @return this
     */
    RewriteMutation set(boolean compareCas, long casUnique, boolean stale, boolean dropValue, long expires) {
        this.compareCas = compareCas;
        this.casUnique = casUnique;
        this.stale = stale;
        this.dropValue = dropValue;
        this.newExptime = expires;
        return this;
    }

    @Override
    WriteResult decide(long old, int oldValueLength, boolean live, long now) {
        if (!live) {
            return WriteResult.NOT_FOUND;
        }
        if (compareCas && !liveness.casMatches(old, casUnique)) {
            return WriteResult.EXISTS;
        }
        this.old = old;
        newValueLength = dropValue ? 0 : oldValueLength;
        expiresAt = newExptime >= 0 ? newExptime : Items.exptime(memory, old);
        clientFlags = Items.clientFlags(memory, old);
        bits = (Items.bits(memory, old) & (Items.FREQUENCY_MASK | Items.FETCHED | Items.KEY_BINARY))
                | (stale ? Items.STALE : 0);
        return null;
    }

    @Override
    void write(long item, long casDelta, long now) {
        MemorySegment.copy(memory, old, memory, item, Items.size(keyLength, newValueLength)); // its key
        writeHeader(item, casDelta, Items.lastAccess(Items.lastAccess16(memory, old), now));
    }

    /** Drops the reference to the request's key memory. */
    void clear() {
        key = null;
    }
}
