package dev.mnemo.store;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The S3-FIFO ghost queue (Yang et al., "FIFO queues are all you need for cache eviction",
 * SOSP'23), kept in the region as a direct-mapped table of 2-byte key-hash fingerprints: the
 * keys of items recently evicted from the small queue without being read. A new entry
 * overwrites whatever shared its position, so the table forgets the oldest entries first in
 * the common case and its size is fixed (bytes: 2 per entry). A fingerprint match is wrong for about one key in 65,535.
 *
 * <p>Thread-safe: entries are single aligned 2-byte writes; a lost race only forgets a key.
 */
final class GhostTable {

    private final MemorySegment memory;
    private final long offset;
    private final long entries;

    GhostTable(Region region) {
        this.memory = region.memory;
        this.offset = region.ghostOffset;
        this.entries = region.ghostCount;
    }

    private long address(long hash) {
        return offset + Math.unsignedMultiplyHigh(hash * 0x9E3779B97F4A7C15L, entries) * Short.BYTES;
    }

    private static short fingerprint(long hash) {
        return (short) ((hash >>> 16) | 1);
    }

    /** Remembers an evicted key. */
    void add(long hash) {
        memory.set(ValueLayout.JAVA_SHORT, address(hash), fingerprint(hash));
    }

    /** @return true if the key was remembered, forgetting it */
    boolean remove(long hash) {
        long a = address(hash);
        if (memory.get(ValueLayout.JAVA_SHORT, a) == fingerprint(hash)) {
            memory.set(ValueLayout.JAVA_SHORT, a, (short) 0);
            return true;
        }
        return false;
    }
}
