package dev.mnemo.store;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The store's statistics counters (DESIGN.md store direction point 8), kept in the region so
 * that the server's stats count every attached process's operations too. Each counter is
 * striped: {@value #STRIPES} stripes of {@value #STRIPE_SIZE} bytes, a thread adding to the
 * stripe its process slot and thread id pick (an atomic add: two threads may share one), a
 * read summing the stripes. Names follow memcached's "stats". cmd_get and cmd_touch are not
 * kept: memcached's equal get_hits + get_misses and touch_hits + touch_misses. Thread-safe.
 */
final class Counters {

    static final int STRIPES = 32;
    static final int STRIPE_SIZE = 256;
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    /** One counter: a column of the stripes. */
    final class Counter {
        private final long offset;

        private Counter(int index) {
            this.offset = Region.COUNTERS_OFFSET + index * (long) Long.BYTES;
        }

        void add(long delta) {
            long thread = Thread.currentThread().threadId() * 0x9E3779B97F4A7C15L + salt;
            LONG.getAndAdd(memory, offset + (thread >>> 59) * STRIPE_SIZE, delta);
        }

        void increment() {
            add(1);
        }

        void decrement() {
            add(-1);
        }

        long sum() {
            long sum = 0;
            for (int s = 0; s < STRIPES; s++) {
                sum += (long) LONG.getVolatile(memory, offset + (long) s * STRIPE_SIZE);
            }
            return sum;
        }

        /** Sets the sum (when nothing else writes it). */
        void set(long value) {
            for (int s = 0; s < STRIPES; s++) {
                LONG.setVolatile(memory, offset + (long) s * STRIPE_SIZE, s == 0 ? value : 0L);
            }
        }
    }

    private final MemorySegment memory;
    private final long salt;
    private int columns;

    final Counter currItems = new Counter(columns++);
    final Counter totalItems = new Counter(columns++);
    final Counter bytes = new Counter(columns++);
    final Counter evictions = new Counter(columns++);
    final Counter reclaimed = new Counter(columns++);
    final Counter expiredUnfetched = new Counter(columns++);
    final Counter evictedUnfetched = new Counter(columns++);
    final Counter getHits = new Counter(columns++);
    final Counter getMisses = new Counter(columns++);
    final Counter getExpired = new Counter(columns++);
    final Counter getFlushed = new Counter(columns++);
    final Counter cmdSet = new Counter(columns++);
    final Counter cmdFlush = new Counter(columns++);
    final Counter touchHits = new Counter(columns++);
    final Counter touchMisses = new Counter(columns++);
    final Counter casHits = new Counter(columns++);
    final Counter casMisses = new Counter(columns++);
    final Counter casBadval = new Counter(columns++);
    final Counter incrHits = new Counter(columns++);
    final Counter incrMisses = new Counter(columns++);
    final Counter decrHits = new Counter(columns++);
    final Counter decrMisses = new Counter(columns++);
    final Counter deleteHits = new Counter(columns++);
    final Counter deleteMisses = new Counter(columns++);
    final Counter storeTooLarge = new Counter(columns++);
    final Counter storeNoMemory = new Counter(columns++);
    /** memcached's cmd_meta: meta debug (me) commands. */
    final Counter cmdMeta = new Counter(columns++);
    /** Items dropped because their checksum did not match their bytes ({@link ItemChecksum}): stat badcrc_from_memory_file. */
    final Counter badcrc = new Counter(columns++);

    /**
     * @param processSlot this process's slot in the region's process table: spreads processes
     *                    whose threads have the same ids over different stripes
     */
    Counters(Region region, int processSlot) {
        this.memory = region.memory;
        this.salt = (processSlot + 1L) * 0x632BE59BD9B4E019L;
    }

    /** @return a snapshot of the counters and of the region's memory gauges, under memcached's stats names */
    StoreStats snapshot(Region region, Segments segments) {
        long active = region.header.activeBuckets();
        long slots = active * Region.SLOTS_PER_BUCKET;
        return new StoreStats(currItems.sum(), totalItems.sum(), bytes.sum(), region.header.memoryLimitNow(),
                evictions.sum(), reclaimed.sum(), expiredUnfetched.sum(), evictedUnfetched.sum(),
                getHits.sum(), getMisses.sum(), getExpired.sum(), getFlushed.sum(),
                getHits.sum() + getMisses.sum(), cmdSet.sum(), touchHits.sum() + touchMisses.sum(), cmdFlush.sum(),
                touchHits.sum(), touchMisses.sum(), casHits.sum(), casMisses.sum(), casBadval.sum(),
                incrHits.sum(), incrMisses.sum(), decrHits.sum(), decrMisses.sum(),
                deleteHits.sum(), deleteMisses.sum(), storeTooLarge.sum(), storeNoMemory.sum(),
                badcrc.sum(), region.segmentSize, region.segmentCount, region.segmentCount - segments.freeCount(),
                64 - Long.numberOfLeadingZeros(slots - 1), active * Region.BUCKET_SIZE);
    }

    /** Zeroes what memcached's "stats reset" zeroes: every count, not the gauges curr_items and bytes. */
    void reset() {
        for (Counter c : new Counter[] {totalItems, evictions, reclaimed, expiredUnfetched, evictedUnfetched,
                getHits, getMisses, getExpired, getFlushed, cmdSet, cmdFlush, touchHits, touchMisses,
                casHits, casMisses, casBadval, incrHits, incrMisses, decrHits, decrMisses, deleteHits, deleteMisses,
                storeTooLarge, storeNoMemory, cmdMeta, badcrc}) {
            c.set(0);
        }
    }
}
