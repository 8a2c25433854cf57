package dev.mnemo.store;

/**
 * A snapshot of the store's counters, named as memcached 1.6 names them in "stats"
 * (protocol.txt "General-purpose statistics"). Counts are since open or the last
 * {@link Store#resetStats()}; gauges (curr_items, bytes, limit_maxbytes) are current.
 *
 * <p>{@code badcrcFromMemoryFile} (badcrc_from_memory_file, named after memcached's
 * badcrc_from_extstore) counts items dropped, never served, because their CRC32C did not
 * match their bytes: damage found by a get or another read, or by the rebuild of a warm restart.
 *
 * <p>The store-specific gauges at the end describe the segment layout, for "stats slabs"
 * and "stats items" (see docs/STATS.md for the mapping).
 */
public record StoreStats(
        long currItems,
        long totalItems,
        long bytes,
        long limitMaxbytes,
        long evictions,
        long reclaimed,
        long expiredUnfetched,
        long evictedUnfetched,
        long getHits,
        long getMisses,
        long getExpired,
        long getFlushed,
        long cmdGet,
        long cmdSet,
        long cmdTouch,
        long cmdFlush,
        long touchHits,
        long touchMisses,
        long casHits,
        long casMisses,
        long casBadval,
        long incrHits,
        long incrMisses,
        long decrHits,
        long decrMisses,
        long deleteHits,
        long deleteMisses,
        long storeTooLarge,
        long storeNoMemory,
        long badcrcFromMemoryFile,
        long segmentSize,
        long segmentsTotal,
        long segmentsUsed,
        long hashPowerLevel,
        long hashBytes) {
}
