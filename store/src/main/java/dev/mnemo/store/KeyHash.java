package dev.mnemo.store;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The 64-bit hash of a key's bytes, from which the store derives the index bucket, the slot
 * tag and the ghost-table fingerprint. Stateless and thread-safe. Not a cryptographic hash:
 * the index tolerates collisions by comparing whole keys.
 */
final class KeyHash {

    private static final long SEED = 0x9E3779B97F4A7C15L;
    private static final long MULTIPLIER = 0xBF58476D1CE4E5B9L;

    private KeyHash() {
    }

    /**
     * @param memory the memory holding the key
     * @param offset offset of the key's first byte
     * @param length key length in bytes
     * @return the hash, well mixed in all 64 bits
     */
    static long hash(MemorySegment memory, long offset, int length) {
        long h = SEED ^ length;
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES) {
            h = (h ^ memory.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + i)) * MULTIPLIER;
            h ^= h >>> 31;
        }
        if (i < length) {
            long tail = 0;
            for (int shift = 0; i < length; i++, shift += 8) {
                tail |= (memory.get(ValueLayout.JAVA_BYTE, offset + i) & 0xFFL) << shift;
            }
            h = (h ^ tail) * MULTIPLIER;
            h ^= h >>> 31;
        }
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return h;
    }
}
