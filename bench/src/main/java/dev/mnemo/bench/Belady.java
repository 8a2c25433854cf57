package dev.mnemo.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Belady's optimal replacement (OPT, "A study of replacement algorithms for a virtual-storage
 * computer", IBM Systems Journal 1966) over a trace, bounded by item count: on a miss with the
 * cache full, it drops whichever of the cached keys and the requested one is next requested
 * furthest in the future (so it may decline to cache the requested key). No policy misses less
 * with as many items, so it bounds what any eviction policy could gain over LRU at a given item
 * count. Exact for traces whose items are all one size.
 *
 * <p>Time O(n log n) for n requests; memory one int per request plus the cached keys. Not
 * thread-safe; a bench tool, not part of the store.
 */
final class Belady {

    private static final int NEVER = Integer.MAX_VALUE;

    private Belady() {
    }

    /** @return the miss ratio (misses / requests) and the items held at the end, with at most {@code items} items */
    static TraceReplay.Result replay(Trace trace, long items) {
        long[] keys = trace.keys();
        int[] nextUse = nextUses(keys);
        Map<Long, Integer> cached = new HashMap<>(); // key -> the index of its next request
        PriorityQueue<long[]> furthest = new PriorityQueue<>((a, b) -> Long.compare(b[0], a[0])); // {next use, key}, stale entries skipped
        long misses = 0;
        for (int i = 0; i < keys.length; i++) {
            long key = keys[i];
            int next = nextUse[i];
            if (cached.containsKey(key)) {
                cache(cached, furthest, key, next);
                continue;
            }
            misses++;
            if (cached.size() < items) {
                cache(cached, furthest, key, next);
                continue;
            }
            long[] top = furthest.peek();
            while (!isCurrent(cached, top)) {
                furthest.poll();
                top = furthest.peek();
            }
            if (top[0] > next) {
                furthest.poll();
                cached.remove(top[1]);
                cache(cached, furthest, key, next);
            }
        }
        return new TraceReplay.Result((double) misses / keys.length, cached.size());
    }

    /** @return whether a queue entry is its key's latest: the key is cached, with this next use */
    private static boolean isCurrent(Map<Long, Integer> cached, long[] entry) {
        Integer next = cached.get(entry[1]);
        return next != null && next == entry[0];
    }

    private static void cache(Map<Long, Integer> cached, PriorityQueue<long[]> furthest, long key, int next) {
        cached.put(key, next);
        furthest.add(new long[] {next, key});
    }

    /** @return for each request, the index of the next request of the same key, or {@link #NEVER} */
    private static int[] nextUses(long[] keys) {
        int[] next = new int[keys.length];
        Map<Long, Integer> later = new HashMap<>();
        for (int i = keys.length - 1; i >= 0; i--) {
            Integer j = later.put(keys[i], i);
            next[i] = j == null ? NEVER : j;
        }
        return next;
    }
}
