package dev.mnemo.store;

import java.lang.foreign.MemorySegment;

/**
 * One storage operation's arguments for the zero-copy write methods of {@link Store}: the key and
 * value as (memory, offset, length), so a caller hands over slices of a network buffer with no
 * copy, the client flags, the expiration time and, for compare-and-set, the CAS unique.
 *
 * <p>A reusable flyweight: keep one per connection or thread, {@link #reset()} it and set what
 * the operation needs. Allocates nothing. Not thread-safe; the store reads it only during the
 * call it is passed to.
 *
 * <p>The options under "meta protocol" are memcached's meta set flags (protocol.txt "Meta Set");
 * an application has no need of them.
 */
public final class ItemWrite {

    private static final MemorySegment EMPTY = MemorySegment.ofArray(new byte[0]);

    MemorySegment key;
    long keyOffset;
    int keyLength;
    MemorySegment value = EMPTY;
    long valueOffset;
    int valueLength;
    int clientFlags;
    long expiresAt;
    long casUnique;
    ItemReader stored;
    long explicitCas;
    boolean invalidate;
    boolean keyBinary;
    boolean vivify;
    long vivifyExpiresAt;

    /** Clears every argument: no key, an empty value, client flags 0, never expires, no CAS unique. @return this */
    public ItemWrite reset() {
        key = null;
        keyOffset = 0;
        keyLength = 0;
        value = EMPTY;
        valueOffset = 0;
        valueLength = 0;
        clientFlags = 0;
        expiresAt = 0;
        casUnique = 0;
        stored = null;
        explicitCas = 0;
        invalidate = false;
        keyBinary = false;
        vivify = false;
        vivifyExpiresAt = 0;
        return this;
    }

    /**
     * @param memory the memory holding the key
     * @param offset offset of its first byte, in bytes
     * @param length its length in bytes, 1 to {@value Store#MAX_KEY_LENGTH}
     * @return this
     */
    public ItemWrite key(MemorySegment memory, long offset, int length) {
        key = memory;
        keyOffset = offset;
        keyLength = length;
        return this;
    }

    /**
     * @param memory the memory holding the value (the data block); copied into the store once
     * @param offset offset of its first byte, in bytes
     * @param length its length in bytes, 0 or more
     * @return this
     */
    public ItemWrite value(MemorySegment memory, long offset, int length) {
        value = memory;
        valueOffset = offset;
        valueLength = length;
        return this;
    }

    /** @param flags the 32-bit client flags (ignored by append and prepend, which keep the item's) @return this */
    public ItemWrite clientFlags(int flags) {
        clientFlags = flags;
        return this;
    }

    /**
     * @param unixSeconds when the item expires: Unix time in seconds; 0 for never; a time at or
     *                    before now makes it expire at once (ignored by append and prepend)
     * @return this
     */
    public ItemWrite expiresAt(long unixSeconds) {
        expiresAt = unixSeconds;
        return this;
    }

    /**
     * @param unique for compare-and-set, the CAS unique the item must have; for append and prepend,
     *               0 for no check or the CAS unique the item must have (memcached's binary
     *               protocol); ignored by set, add and replace
     * @return this
     */
    public ItemWrite casUnique(long unique) {
        casUnique = unique;
        return this;
    }

    /**
     * @param reader called once with the stored item, under the key's bucket locks, so the caller
     *               learns its new CAS unique with no second lookup; it must not call back into
     *               the store; null for none
     * @return this
     */
    public ItemWrite onStored(ItemReader reader) {
        stored = reader;
        return this;
    }

    /** Meta protocol, flag E: the stored item's CAS unique instead of the next one (0: the next one). @return this */
    public ItemWrite explicitCas(long unique) {
        explicitCas = unique;
        return this;
    }

    /**
     * Meta protocol, flag I: a compare-and-set whose CAS unique is below the item's stores the value
     * anyway, marked stale, keeping the item's exptime and win-token state.
     *
     * @return this
     */
    public ItemWrite invalidate() {
        invalidate = true;
        return this;
    }

    /** Meta protocol, flag b: the key came base64-encoded; the item remembers it ({@link MetaItem#isKeyBinary()}). @return this */
    public ItemWrite keyBinary() {
        keyBinary = true;
        return this;
    }

    /**
     * Meta protocol, flag N with append or prepend: a missing item is added from the value.
     *
     * @param unixSeconds the added item's expiration time, as {@link #expiresAt(long)}
     * @return this
     */
    public ItemWrite vivify(long unixSeconds) {
        vivify = true;
        vivifyExpiresAt = unixSeconds;
        return this;
    }
}
