package dev.mnemo.protocol;

import dev.mnemo.store.ItemReader;
import dev.mnemo.store.ItemView;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Reads what the binary protocol needs to answer from an item besides its value: its CAS
 * unique (the response header of every successful storage command and incr/decr carries it)
 * and, for incr/decr, the number its value holds (the decimal digits the store wrote; a shorter
 * result is padded with spaces, which end the number). Allocates nothing.
 *
 * <p>Reused: {@link #reset} it, then hand it to the store. Not thread-safe: one per connection.
 */
final class BinaryItemProbe implements ItemReader {

    long casUnique;
    /** The item's value as an unsigned 64-bit number (its leading decimal digits). */
    long number;
    boolean found;

    void reset() {
        casUnique = 0;
        number = 0;
        found = false;
    }

    @Override
    public void read(ItemView item) {
        found = true;
        casUnique = item.casUnique();
        MemorySegment memory = item.memory();
        long offset = item.valueOffset();
        long n = 0;
        for (int i = 0; i < item.valueLength(); i++) {
            byte b = memory.get(ValueLayout.JAVA_BYTE, offset + i);
            if (b < '0' || b > '9') {
                break;
            }
            n = n * 10 + (b - '0');
        }
        number = n;
    }
}
