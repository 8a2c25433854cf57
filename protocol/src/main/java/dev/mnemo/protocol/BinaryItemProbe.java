package dev.mnemo.protocol;

import dev.mnemo.store.ItemReader;
import dev.mnemo.store.ItemView;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Reads what the binary protocol needs to answer from an item the store has just written: its
 * CAS unique (the response header of every successful storage command and incr/decr carries it)
 * and, for incr/decr, the number its value holds (the decimal digits the store wrote, at most
 * 20; a shorter result is padded with spaces, which end the number). Allocates nothing.
 *
 * <p>Reused: {@link #reset} it, then hand it to the store's store or incrDecr. Not thread-safe:
 * one per connection.
 */
final class BinaryItemProbe implements ItemReader {

    /** The most digits an unsigned 64-bit number has: longer values are not read further. */
    private static final int MAX_DIGITS = 20;

    long casUnique;
    /** The item's value as an unsigned 64-bit number (its leading decimal digits). */
    long number;

    void reset() {
        casUnique = 0;
        number = 0;
    }

    @Override
    public void read(ItemView item) {
        casUnique = item.casUnique();
        MemorySegment memory = item.memory();
        long offset = item.valueOffset();
        long n = 0;
        int end = Math.min(item.valueLength(), MAX_DIGITS);
        for (int i = 0; i < end; i++) {
            byte b = memory.get(ValueLayout.JAVA_BYTE, offset + i);
            if (b < '0' || b > '9') {
                break;
            }
            n = n * 10 + (b - '0');
        }
        number = n;
    }
}
