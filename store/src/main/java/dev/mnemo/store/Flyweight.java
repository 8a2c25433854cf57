package dev.mnemo.store;

import java.lang.foreign.MemorySegment;

/**
 * The {@link ItemView} the store hands to an {@link ItemReader}: one mutable instance per
 * reading thread, filled from an item's header just before each call. Not thread-safe.
 */
final class Flyweight implements ItemView {

    private final MemorySegment memory;
    private final Region region;
    private final Segments segments;
    /** The reading thread's checksum, with which a read verifies an item before handing it out. */
    final ItemChecksum checksum;
    private long item;
    private int keyLength;
    private int valueLength;
    private long now;

    Flyweight(Region region, Segments segments) {
        this.memory = region.memory;
        this.region = region;
        this.segments = segments;
        this.checksum = new ItemChecksum(region);
    }

    /**
     * Points the view at an item whose key and value lengths the caller has checked. The other
     * header fields are read from the region when asked for, within the reader's call.
     */
    void wrap(long item, int keyLength, int valueLength, long nowSeconds) {
        this.item = item;
        this.keyLength = keyLength;
        this.valueLength = valueLength;
        this.now = nowSeconds;
    }

    @Override
    public int clientFlags() {
        return Items.clientFlags(memory, item);
    }

    @Override
    public long casUnique() {
        return segments.casBase(region.segmentOf(item)) + Items.casDelta(memory, item);
    }

    @Override
    public long expiresAt() {
        return Items.exptime(memory, item);
    }

    @Override
    public long lastAccess() {
        return Items.lastAccess(Items.lastAccess16(memory, item), now);
    }

    @Override
    public boolean isStale() {
        return (Items.bits(memory, item) & Items.STALE) != 0;
    }

    @Override
    public boolean isFetched() {
        return (Items.bits(memory, item) & Items.FETCHED) != 0;
    }

    @Override
    public boolean isWinTokenSent() {
        return (Items.bits(memory, item) & Items.WIN_TOKEN_SENT) != 0;
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

    @Override
    public long itemSize() {
        return Items.size(keyLength, valueLength);
    }
}
