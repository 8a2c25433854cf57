package dev.mnemo.bench;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The exact-LRU reference for trace replays: a byte-bounded cache that, to make room, evicts
 * the least recently requested item first.
 *
 * <p>An item is charged only its key plus value bytes — no header, no index — which favours
 * LRU over any real store of the same budget. An item larger than the whole budget is never
 * admitted. Not thread-safe.
 */
final class LruCache {

    private final long capacity;
    private final LinkedHashMap<Long, Long> bytesByKey = new LinkedHashMap<>(1024, 0.75f, true);
    private long usedBytes;

    /** @param capacity the budget in bytes (sum of key + value bytes of the items held) */
    LruCache(long capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, was " + capacity + " bytes");
        }
        this.capacity = capacity;
    }

    /**
     * A look-aside request: on a hit the item becomes the most recently used; on a miss it is
     * inserted (if it fits the budget at all) and least recently used items are evicted until
     * the budget holds.
     *
     * @param key       the key
     * @param itemBytes the item's key + value length, in bytes
     * @return true on a hit
     */
    boolean request(long key, long itemBytes) {
        if (bytesByKey.get(key) != null) {
            return true;
        }
        if (itemBytes > capacity) {
            return false;
        }
        bytesByKey.put(key, itemBytes);
        usedBytes += itemBytes;
        Iterator<Map.Entry<Long, Long>> eldest = bytesByKey.entrySet().iterator();
        while (usedBytes > capacity) {
            usedBytes -= eldest.next().getValue();
            eldest.remove();
        }
        return false;
    }

    /** @return the key + value bytes of the items held */
    long usedBytes() {
        return usedBytes;
    }

    /** @return how many items are held */
    int size() {
        return bytesByKey.size();
    }
}
