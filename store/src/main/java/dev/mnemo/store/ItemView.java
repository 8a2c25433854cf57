package dev.mnemo.store;

import java.lang.foreign.MemorySegment;

/**
 * A read-only flyweight over one item in the store, handed to an {@link ItemReader}.
 *
 * <p>Valid only during the {@link ItemReader#read} call it is passed to; the store reuses the
 * instance. Not thread-safe: each reading thread sees its own instance.
 */
public interface ItemView {

    /** @return the 32-bit client flags, as stored (protocol.txt "flags") */
    int clientFlags();

    /** @return the CAS unique, never 0 for a stored item (0 when CAS is disabled) */
    long casUnique();

    /** @return the absolute expiry time in Unix seconds, or 0 if the item never expires */
    long expiresAt();

    /** @return the time of the item's last access (read or write), Unix seconds */
    long lastAccess();

    /** @return whether the item was marked stale (meta protocol invalidation) */
    boolean isStale();

    /** @return whether the item has been read since it was stored (before this read) */
    boolean isFetched();

    /** @return whether a meta-protocol win token has already been handed out for this item */
    boolean isWinTokenSent();

    /** @return the key length in bytes, 1 to 250 */
    int keyLength();

    /** @return the value length in bytes */
    int valueLength();

    /** @return the bytes the item takes in its segment: header, key and value */
    long itemSize();

    /**
     * The memory the key and value bytes live in. Read it only within the current
     * {@link ItemReader#read} call, between {@link #keyOffset()} /
     * {@link #valueOffset()} and the matching length.
     *
     * @return the store's region (or a slice of it)
     */
    MemorySegment memory();

    /** @return the offset of the key's first byte in {@link #memory()} */
    long keyOffset();

    /** @return the offset of the value's first byte in {@link #memory()} */
    long valueOffset();
}
