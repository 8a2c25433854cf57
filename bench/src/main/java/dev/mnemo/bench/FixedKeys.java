package dev.mnemo.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Distinct 10-byte keys, built once into one off-heap segment so a benchmark loop never
 * allocates a key: key {@code i} is {@code 'k'} followed by {@code i} as 9 zero-padded decimal
 * digits ({@code k000000042}), at offset {@code i * 10}.
 *
 * <p>Immutable after construction; safe to read from any number of threads.
 */
final class FixedKeys {

    /** Length of every key, in bytes. */
    static final int LENGTH = 10;

    /** The largest count of distinct keys this scheme can spell (9 decimal digits). */
    static final int MAX_COUNT = 1_000_000_000;

    private final MemorySegment memory;
    private final int count;

    /**
     * @param arena the arena that owns the key memory ({@code count * 10} bytes)
     * @param count how many keys, 1 to {@link #MAX_COUNT}
     * @throws IllegalArgumentException if count is out of range
     */
    FixedKeys(Arena arena, int count) {
        if (count < 1 || count > MAX_COUNT) {
            throw new IllegalArgumentException("key count must be 1 to " + MAX_COUNT + ", was " + count);
        }
        this.count = count;
        this.memory = arena.allocate((long) count * LENGTH);
        for (int i = 0; i < count; i++) {
            write(memory, (long) i * LENGTH, i);
        }
    }

    /** Writes key {@code index} (10 bytes) at {@code offset} of {@code target}. */
    static void write(MemorySegment target, long offset, int index) {
        target.set(ValueLayout.JAVA_BYTE, offset, (byte) 'k');
        int rest = index;
        for (int d = LENGTH - 1; d >= 1; d--) {
            target.set(ValueLayout.JAVA_BYTE, offset + d, (byte) ('0' + rest % 10));
            rest /= 10;
        }
    }

    /** @return the memory holding all keys back to back */
    MemorySegment memory() {
        return memory;
    }

    /** @return the offset of key {@code index} in {@link #memory()}, in bytes */
    long offset(int index) {
        return (long) index * LENGTH;
    }

    /** @return how many keys there are */
    int count() {
        return count;
    }
}
