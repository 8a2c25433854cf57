package dev.mnemo.store;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One write that the {@link WriteLoop} runs: given the key's current item (or none), it refuses
 * with a {@link WriteResult} or says how long the new item's value is and writes the new item's
 * bytes. Subclasses: {@link StorageMutation} (set, add, replace, append, prepend, cas),
 * {@link ArithmeticMutation} (incr, decr) and {@link RewriteMutation} (a copy of an item, stale
 * or with its value dropped: meta delete with I or x, mark stale).
 *
 * <p>A reusable per-thread object: its request's arguments are set before each
 * {@link WriteLoop#run}, so a write allocates nothing. Not thread-safe; {@link #decide} may be
 * called more than once per request (the loop retries when a writer raced it), and the last
 * call is the one whose item is written.
 */
abstract class Mutation {

    final MemorySegment memory;
    MemorySegment key;
    long keyOffset;
    int keyLength;
    long hash;
    /** The new item's CAS unique if not 0 and CAS is on (meta flag E); 0 for the next one. */
    long explicitCas;

    // The new item's header as the last decide set it.
    /** Its value length in bytes. */
    int newValueLength;
    /** Its exptime, absolute Unix seconds, 0 for never. */
    long expiresAt;
    int clientFlags;
    /** Its item bits ({@link Items#STALE}, {@link Items#FETCHED}, …). */
    int bits;

    /** This thread's checksum of new items. */
    final ItemChecksum checksum;

    Mutation(Region region) {
        this.memory = region.memory;
        this.checksum = new ItemChecksum(region);
    }

    /** Sets the key (checked by the caller) and its hash. */
    final void key(MemorySegment key, long keyOffset, int keyLength) {
        this.key = key;
        this.keyOffset = keyOffset;
        this.keyLength = keyLength;
        this.hash = KeyHash.hash(key, keyOffset, keyLength);
    }

    /**
     * @return true if the loop must find the key's item first and publish only if neither of
     *         the key's buckets changed since; false if the new item replaces whatever is there
     *         when it is published (set), so the loop looks only then
     */
    boolean readsOld() {
        return true;
    }

    /**
     * Decides the write from the key's item, read without a lock (the loop validates what it read
     * before returning a refusal, and publishes only if nothing changed).
     *
     * @param old            the item's region offset, or -1 if there is none (always for a set)
     * @param oldValueLength its value length in bytes, checked to lie within the region; 0 if none
     * @param live           whether the item is there and neither expired nor flushed
     * @param now            the time, Unix seconds
     * @return null to write the item (the new item's header fields are then set), or the refusal
     */
    abstract WriteResult decide(long old, int oldValueLength, boolean live, long now);

    /**
     * Writes the whole new item (header, key, value) at {@code item}, in space the loop appended.
     *
     * @param casDelta the new item's CAS unique minus its segment's CAS base
     */
    abstract void write(long item, long casDelta, long now);

    /** Writes the checksum of the item {@link #write} wrote; the loop calls it before publishing. */
    final void seal(long item) {
        checksum.seal(item, keyLength, newValueLength);
    }

    /** Called with the new item once it is published, still under the key's bucket locks. */
    void published(long item, long now) {
    }

    /** Writes the new item's header from the fields {@link #decide} set. @param lastAccess Unix seconds */
    final void writeHeader(long item, long casDelta, long lastAccess) {
        Items.writeHeader(memory, item, casDelta, expiresAt, clientFlags, keyLength, newValueLength, bits, lastAccess);
    }

    /** Copies the key into the new item with word stores: cheaper than a bulk copy for keys this short. */
    final void writeKey(long item) {
        long to = Items.keyOffset(item);
        int i = 0;
        for (; i + Long.BYTES <= keyLength; i += Long.BYTES) {
            memory.set(ValueLayout.JAVA_LONG_UNALIGNED, to + i, key.get(ValueLayout.JAVA_LONG_UNALIGNED, keyOffset + i));
        }
        for (; i < keyLength; i++) {
            memory.set(ValueLayout.JAVA_BYTE, to + i, key.get(ValueLayout.JAVA_BYTE, keyOffset + i));
        }
    }
}
