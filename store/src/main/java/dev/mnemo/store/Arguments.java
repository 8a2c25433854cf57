package dev.mnemo.store;

import java.lang.foreign.MemorySegment;

/** Checks of the arguments callers pass to the store: a bad one throws {@link IllegalArgumentException} and changes nothing. */
final class Arguments {

    private Arguments() {
    }

    /** Checks a key: not null, 1 to {@value Store#MAX_KEY_LENGTH} bytes, within its memory. */
    static void checkKey(MemorySegment key, long keyOffset, int keyLength) {
        if (key == null) {
            throw new IllegalArgumentException("key is null");
        }
        if (keyLength < 1 || keyLength > Store.MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("key length must be 1 to " + Store.MAX_KEY_LENGTH + " bytes, was " + keyLength);
        }
        checkRange("key", key, keyOffset, keyLength);
    }

    /** Checks that {@code memory} is not null and holds {@code length} bytes from {@code offset}. */
    static void checkRange(String what, MemorySegment memory, long offset, int length) {
        if (memory == null) {
            throw new IllegalArgumentException(what + " is null");
        }
        if (offset < 0 || length < 0 || offset > memory.byteSize() - length) {
            throw new IllegalArgumentException(what + " range [" + offset + ", +" + length + ") is outside its memory of "
                    + memory.byteSize() + " bytes");
        }
    }
}
