package dev.mnemo.store;

import java.lang.foreign.MemorySegment;

/**
 * Told of each live item this process's {@link Store} evicts to make room (counted in the
 * {@code evictions} stat): the server's "watch evictions" stream. Not told of expired or flushed
 * items that are reclaimed, nor of deleted or replaced ones, as memcached logs only evictions
 * there. Set with {@link Store#setEvictionListener}.
 *
 * <p>Called on the evicting thread, under the item's bucket locks and often the segment lock,
 * so it must be quick and must never block nor call back into the store: copy what it needs and
 * return. A {@link RuntimeException} it throws is dropped (the eviction goes on). Called from any
 * thread that writes, concurrently: implementations must be thread-safe. Only this process's
 * evictions are reported: a co-located process sharing the memory file evicts through its own
 * {@code Store} and its own listener, if any.
 */
@FunctionalInterface
public interface EvictionListener {

    /**
     * @param memory      the memory holding the key, read-only; read it only during this call
     * @param keyOffset   the offset of the key's first byte in {@code memory}
     * @param keyLength   the key length in bytes, 1 to 250
     * @param valueLength the value length in bytes
     * @param fetched     whether the item was read since it was stored
     * @param ttl         seconds the item had left to live, or -1 if it never expires
     * @param idle        seconds since its last access (read or write)
     */
    void evicted(MemorySegment memory, long keyOffset, int keyLength, int valueLength, boolean fetched,
                 long ttl, long idle);
}
