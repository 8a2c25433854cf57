package dev.mnemo.bench;

import java.util.HashMap;
import java.util.Map;

/**
 * A parsed access trace: one key and one value size per request, in request order.
 *
 * <p>A key's value size is the same at every request (the size at its first request), so a
 * look-aside cache and the LRU reference see exactly the same items. Immutable by convention:
 * the arrays are not copied and must not be changed.
 *
 * @param name       the trace's file name without the {@code .trace.*} suffix
 * @param keys       the requested keys, turned into memcached keys as decimal text
 * @param valueSizes the value length of each request, in bytes
 */
record Trace(String name, long[] keys, int[] valueSizes) {

    Trace {
        if (keys.length != valueSizes.length) {
            throw new IllegalArgumentException("one value size per key expected: " + keys.length + " keys, "
                    + valueSizes.length + " sizes");
        }
    }

    /** @return how many requests the trace holds */
    int events() {
        return keys.length;
    }

    /** @return how many distinct keys the trace requests */
    int distinctKeys() {
        return itemBytesByKey().size();
    }

    /**
     * @return the trace's footprint: the sum over distinct keys of key bytes (decimal text) plus
     *         value bytes — the memory an unbounded cache would need for user data, in bytes
     */
    long footprint() {
        long sum = 0;
        for (long bytes : itemBytesByKey().values()) {
            sum += bytes;
        }
        return sum;
    }

    private Map<Long, Long> itemBytesByKey() {
        Map<Long, Long> bytes = new HashMap<>();
        for (int i = 0; i < keys.length; i++) {
            bytes.putIfAbsent(keys[i], (long) Long.toString(keys[i]).length() + valueSizes[i]);
        }
        return bytes;
    }
}
