package dev.mnemo.bench;

import dev.mnemo.store.ItemReader;
import dev.mnemo.store.ItemView;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An {@link ItemReader} that copies the value into a caller-owned, preallocated byte array —
 * what a client of the embedded API does — so a read allocates nothing. Each call overwrites
 * the previous one, as {@link ItemReader} requires. Not thread-safe: one per reading thread.
 */
final class ValueCopier implements ItemReader {

    private final byte[] buffer;
    private int length;

    /** @param capacity the largest value it can take, in bytes */
    ValueCopier(int capacity) {
        this.buffer = new byte[capacity];
    }

    @Override
    public void read(ItemView item) {
        int valueLength = item.valueLength();
        MemorySegment.copy(item.memory(), ValueLayout.JAVA_BYTE, item.valueOffset(), buffer, 0, valueLength);
        length = valueLength;
    }

    /** @return the length of the last value copied, in bytes */
    int length() {
        return length;
    }

    /** @return the byte at {@code index} of the last value copied */
    byte byteAt(int index) {
        return buffer[index];
    }
}
