package dev.mnemo.store;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Instant;
import java.util.Optional;

/**
 * The simple API's reader: copies an item's value and header fields out of the store onto the
 * heap, for {@link Store#get(byte[])}, {@link Store#getItem(byte[])} and the new number of
 * {@link Store#increment(byte[], long)}. Each call replaces the previous one's copy (a reader
 * may be called again when a writer raced it). One per call; not thread-safe.
 */
final class ValueCopy implements ItemReader {

    byte[] value;
    private int clientFlags;
    private long casUnique;
    private long expiresAt;

    @Override
    public void read(ItemView item) {
        value = new byte[item.valueLength()];
        MemorySegment.copy(item.memory(), ValueLayout.JAVA_BYTE, item.valueOffset(), value, 0, value.length);
        clientFlags = item.clientFlags();
        casUnique = item.casUnique();
        expiresAt = item.expiresAt();
    }

    /** @return the copied item (call after a hit) */
    Item item() {
        return new Item(value, clientFlags, casUnique,
                expiresAt == 0 ? Optional.empty() : Optional.of(Instant.ofEpochSecond(expiresAt)));
    }
}
