package dev.mnemo.store;

import java.util.concurrent.atomic.LongAdder;

/**
 * The store's statistics counters, striped ({@link LongAdder}) so that no operation contends
 * on one atomic (DESIGN.md store direction point 8). Names follow memcached's "stats".
 * cmd_get and cmd_touch are not kept: memcached's equal get_hits + get_misses and
 * touch_hits + touch_misses. Thread-safe.
 */
final class Counters {

    final LongAdder currItems = new LongAdder();
    final LongAdder totalItems = new LongAdder();
    final LongAdder bytes = new LongAdder();
    final LongAdder evictions = new LongAdder();
    final LongAdder reclaimed = new LongAdder();
    final LongAdder expiredUnfetched = new LongAdder();
    final LongAdder evictedUnfetched = new LongAdder();
    final LongAdder getHits = new LongAdder();
    final LongAdder getMisses = new LongAdder();
    final LongAdder getExpired = new LongAdder();
    final LongAdder getFlushed = new LongAdder();
    final LongAdder cmdSet = new LongAdder();
    final LongAdder cmdFlush = new LongAdder();
    final LongAdder touchHits = new LongAdder();
    final LongAdder touchMisses = new LongAdder();
    final LongAdder casHits = new LongAdder();
    final LongAdder casMisses = new LongAdder();
    final LongAdder casBadval = new LongAdder();
    final LongAdder incrHits = new LongAdder();
    final LongAdder incrMisses = new LongAdder();
    final LongAdder decrHits = new LongAdder();
    final LongAdder decrMisses = new LongAdder();
    final LongAdder deleteHits = new LongAdder();
    final LongAdder deleteMisses = new LongAdder();
    final LongAdder storeTooLarge = new LongAdder();
    final LongAdder storeNoMemory = new LongAdder();
    /** memcached's cmd_meta: meta debug (me) commands. */
    final LongAdder cmdMeta = new LongAdder();

    /** Zeroes what memcached's "stats reset" zeroes: every count, not the gauges curr_items and bytes. */
    void reset() {
        for (LongAdder a : new LongAdder[] {totalItems, evictions, reclaimed, expiredUnfetched, evictedUnfetched,
                getHits, getMisses, getExpired, getFlushed, cmdSet, cmdFlush, touchHits, touchMisses,
                casHits, casMisses, casBadval, incrHits, incrMisses, decrHits, decrMisses, deleteHits, deleteMisses,
                storeTooLarge, storeNoMemory, cmdMeta}) {
            a.reset();
        }
    }
}
