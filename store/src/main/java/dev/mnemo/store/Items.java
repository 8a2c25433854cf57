package dev.mnemo.store;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The layout of one item in a segment: a 24-byte header, then the key, then the value
 * (DESIGN.md "Log-structured items"). Items are packed with no alignment padding; multi-byte
 * fields are read and written unaligned, in native byte order.
 *
 * <pre>
 * offset size field
 *  0     4    CAS unique minus its segment's CAS base ({@link Segments#casBase}), unsigned
 *  4     4    exptime: absolute Unix seconds, unsigned; 0 never expires
 *  8     2    last access: Unix seconds modulo 65,536
 * 10     1    bits: stale, win token sent, fetched, unlinked, 3-bit frequency counter, key binary
 * 11     4    checksum: CRC32C of every byte from offset 15 to the end of the value
 * 15     1    key length in bytes, 1..250
 * 16     4    client flags
 * 20     4    value length in bytes
 * 24          key bytes, then value bytes
 * </pre>
 *
 * <p>The checksum ({@link ItemChecksum}, issue 16 "Never serve damaged bytes") covers the key
 * length, client flags, value length, key and value: everything a reader hands out as the
 * stored item and nothing that changes after publication. The fields before it (CAS delta,
 * exptime, last access, bits) are rewritten in place under the bucket lock (touch, markStale,
 * reads), so covering them would make each such write recompute the checksum over the value;
 * a damaged one can make an item expire early or late or fail a cas, but never yields bytes
 * that were not stored. They come first so that the covered bytes are one contiguous range.
 *
 * <p>Once an item is published in the index its bytes never change, except the exptime (by
 * touch, under the bucket's full lock), the CAS delta (by markStale, under the full lock)
 * and the bits and last-access fields (under the bucket
 * lock, full or metadata-only; the unlinked bit under the full lock as the item is unlinked). Stateless; thread-safety is the caller's.
 */
final class Items {

    static final int CAS_DELTA = 0;
    static final int EXPTIME = 4;
    static final int LAST_ACCESS = 8;
    static final int BITS = 10;
    static final int CHECKSUM = 11;
    /** Where the bytes the checksum covers begin: the key length, then the rest of the item. */
    static final int CHECKSUMMED = 15;
    static final int KEY_LENGTH = 15;
    static final int CLIENT_FLAGS = 16;
    static final int VALUE_LENGTH = 20;
    /** Header size in bytes. */
    static final int HEADER = 24;
    /** The span of CAS uniques one segment's items can hold above its base: 2^32. */
    static final long CAS_DELTA_RANGE = 1L << 32;

    static final int STALE = 1;
    static final int WIN_TOKEN_SENT = 1 << 1;
    static final int FETCHED = 1 << 2;
    /**
     * Set when the item leaves the index (replaced, deleted, evicted, reclaimed), so that a
     * scan of its segment skips it without a lookup. A hint: a clear bit proves nothing.
     */
    static final int UNLINKED = 1 << 3;
    static final int FREQUENCY_SHIFT = 4;
    /** The key was sent base64-encoded (meta flag b): meta replies return it encoded, as memcached does. */
    static final int KEY_BINARY = 1 << 7;
    static final int FREQUENCY_MASK = 7 << FREQUENCY_SHIFT;
    /**
     * The saturation value of the frequency counter: 7 (3 bits) kept frequently read items
     * through more main-queue passes, and missed less on 25 of 35 trace rows than 3 (2 bits).
     */
    static final int MAX_FREQUENCY = 7;

    /** How old (seconds) the last access must be before a read rewrites it, as memcached's ITEM_UPDATE_INTERVAL. */
    static final long ACCESS_UPDATE_INTERVAL = 60;

    private Items() {
    }

    static long size(int keyLength, long valueLength) {
        return HEADER + keyLength + valueLength;
    }

    /**
     * The size of an item read from a segment's chain, checked: a key length of 1 or more, a
     * value length of 0 to {@code maxItemSize}, and an end no later than {@code end}.
     *
     * @param end the region offset the item must end by (its segment's end of complete items)
     * @return the item's size in bytes, or -1 if its lengths are corrupt
     */
    static long checkedSize(MemorySegment m, long item, long end, int maxItemSize) {
        int keyLength = keyLength(m, item);
        int valueLength = valueLength(m, item);
        long size = size(keyLength, valueLength);
        return keyLength == 0 || valueLength < 0 || valueLength > maxItemSize || size > end - item ? -1 : size;
    }

    /**
     * @param delta a CAS unique minus a segment's CAS base, both unsigned 64-bit (so a CAS
     *              unique below the base makes a delta of 2^63 or more)
     * @return whether an item header can hold it: 0 to 2^32 - 1
     */
    static boolean fitsCasDelta(long delta) {
        return Long.compareUnsigned(delta, CAS_DELTA_RANGE) < 0;
    }

    /** @return the item's CAS unique minus its segment's CAS base, 0 to 2^32 - 1 */
    static long casDelta(MemorySegment m, long item) {
        return Integer.toUnsignedLong(m.get(ValueLayout.JAVA_INT_UNALIGNED, item + CAS_DELTA));
    }

    /** @param delta the CAS unique minus the segment's CAS base, 0 to 2^32 - 1 */
    static void setCasDelta(MemorySegment m, long item, long delta) {
        m.set(ValueLayout.JAVA_INT_UNALIGNED, item + CAS_DELTA, (int) delta);
    }

    /** The latest expiry the header holds: Unix seconds, unsigned 32-bit. */
    static final long MAX_EXPIRES_AT = 0xFFFF_FFFFL;

    /**
     * @param expiresAt an expiry as callers give it: Unix seconds, 0 never, at or before now already expired
     * @return the header's form: 0 for never, otherwise clamped to 1 .. {@link #MAX_EXPIRES_AT}
     */
    static long expiry(long expiresAt) {
        return expiresAt == 0 ? 0 : Math.min(Math.max(expiresAt, 1), MAX_EXPIRES_AT);
    }

    static long exptime(MemorySegment m, long item) {
        return Integer.toUnsignedLong(m.get(ValueLayout.JAVA_INT_UNALIGNED, item + EXPTIME));
    }

    static void setExptime(MemorySegment m, long item, long exptime) {
        m.set(ValueLayout.JAVA_INT_UNALIGNED, item + EXPTIME, (int) exptime);
    }

    static int clientFlags(MemorySegment m, long item) {
        return m.get(ValueLayout.JAVA_INT_UNALIGNED, item + CLIENT_FLAGS);
    }

    static int valueLength(MemorySegment m, long item) {
        return m.get(ValueLayout.JAVA_INT_UNALIGNED, item + VALUE_LENGTH);
    }

    static int keyLength(MemorySegment m, long item) {
        return m.get(ValueLayout.JAVA_BYTE, item + KEY_LENGTH) & 0xFF;
    }

    static int bits(MemorySegment m, long item) {
        return m.get(ValueLayout.JAVA_BYTE, item + BITS) & 0xFF;
    }

    static void setBits(MemorySegment m, long item, int bits) {
        m.set(ValueLayout.JAVA_BYTE, item + BITS, (byte) bits);
    }

    static int frequency(int bits) {
        return (bits & FREQUENCY_MASK) >>> FREQUENCY_SHIFT;
    }

    static int withFrequency(int bits, int frequency) {
        return (bits & ~FREQUENCY_MASK) | (frequency << FREQUENCY_SHIFT);
    }

    static int lastAccess16(MemorySegment m, long item) {
        return m.get(ValueLayout.JAVA_SHORT_UNALIGNED, item + LAST_ACCESS) & 0xFFFF;
    }

    static void setLastAccess(MemorySegment m, long item, long nowSeconds) {
        m.set(ValueLayout.JAVA_SHORT_UNALIGNED, item + LAST_ACCESS, (short) nowSeconds);
    }

    /** Expands a 16-bit last-access stamp to Unix seconds, assuming it lies within 65,535 s before now. */
    static long lastAccess(int stamp16, long nowSeconds) {
        return nowSeconds - ((nowSeconds - stamp16) & 0xFFFF);
    }

    static int checksum(MemorySegment m, long item) {
        return m.get(ValueLayout.JAVA_INT_UNALIGNED, item + CHECKSUM);
    }

    static void setChecksum(MemorySegment m, long item, int checksum) {
        m.set(ValueLayout.JAVA_INT_UNALIGNED, item + CHECKSUM, checksum);
    }

    static long keyOffset(long item) {
        return item + HEADER;
    }

    /** Writes every header field but the checksum, which {@link ItemChecksum#seal} writes once key and value are in place. */
    static void writeHeader(MemorySegment m, long item, long casDelta, long exptime, int clientFlags,
                            int keyLength, int valueLength, int bits, long nowSeconds) {
        setCasDelta(m, item, casDelta);
        m.set(ValueLayout.JAVA_INT_UNALIGNED, item + EXPTIME, (int) exptime);
        m.set(ValueLayout.JAVA_INT_UNALIGNED, item + CLIENT_FLAGS, clientFlags);
        m.set(ValueLayout.JAVA_INT_UNALIGNED, item + VALUE_LENGTH, valueLength);
        m.set(ValueLayout.JAVA_BYTE, item + KEY_LENGTH, (byte) keyLength);
        m.set(ValueLayout.JAVA_BYTE, item + BITS, (byte) bits);
        m.set(ValueLayout.JAVA_SHORT_UNALIGNED, item + LAST_ACCESS, (short) nowSeconds);
    }
}
