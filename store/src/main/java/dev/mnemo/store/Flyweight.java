package dev.mnemo.store;

import java.lang.foreign.MemorySegment;

/**
 * The {@link ItemView} the store hands to an {@link ItemReader}: one mutable instance per
 * reading thread, filled from an item's header just before each call. Not thread-safe.
 */
final class Flyweight implements ItemView {

    private final MemorySegment memory;
    private long item;
    private int keyLength;
    private int valueLength;
    private int clientFlags;
    private long casUnique;
    private long expiresAt;
    private long lastAccess;
    private int bits;

    Flyweight(MemorySegment memory) {
        this.memory = memory;
    }

    /** Points the view at an item whose key and value lengths the caller has checked. */
    void wrap(long item, int keyLength, int valueLength, long nowSeconds) {
        this.item = item;
        this.keyLength = keyLength;
        this.valueLength = valueLength;
        this.clientFlags = Items.clientFlags(memory, item);
        this.casUnique = Items.cas(memory, item);
        this.expiresAt = Items.exptime(memory, item);
        this.bits = Items.bits(memory, item);
        this.lastAccess = Items.lastAccess(Items.lastAccess16(memory, item), nowSeconds);
    }

    @Override
    public int clientFlags() {
        return clientFlags;
    }

    @Override
    public long casUnique() {
        return casUnique;
    }

    @Override
    public long expiresAt() {
        return expiresAt;
    }

    @Override
    public long lastAccess() {
        return lastAccess;
    }

    @Override
    public boolean isStale() {
        return (bits & Items.STALE) != 0;
    }

    @Override
    public boolean isFetched() {
        return (bits & Items.FETCHED) != 0;
    }

    @Override
    public boolean isWinTokenSent() {
        return (bits & Items.WIN_TOKEN_SENT) != 0;
    }

    @Override
    public int keyLength() {
        return keyLength;
    }

    @Override
    public int valueLength() {
        return valueLength;
    }

    @Override
    public MemorySegment memory() {
        return memory;
    }

    @Override
    public long keyOffset() {
        return item + Items.HEADER;
    }

    @Override
    public long valueOffset() {
        return item + Items.HEADER + keyLength;
    }
}
