package dev.mnemo.store;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Bookkeeping of the region's segments (DESIGN.md store direction points 3 and 5): each is
 * free, open (being appended to by one writer stripe or by the evictor), or sealed in the
 * small (probationary) or main FIFO of S3-FIFO. The queues are intrusive doubly linked lists
 * in arrays indexed by segment number.
 *
 * <p>Kept on the heap, one entry per segment (not per item). Not thread-safe except where
 * noted: the store guards it with its segment lock.
 */
final class Segments {

    static final byte FREE = 0;
    static final byte OPEN = 1;
    static final byte SMALL = 2;
    static final byte MAIN = 3;

    final int count;
    private final byte[] state;
    private final int[] next;
    private final int[] prev;
    /** Bytes appended to each segment; written by the segment's single appender. */
    final long[] used;
    /** The allocation sequence number of each segment, for flush_all. */
    final long[] sequence;
    /**
     * Each segment's CAS base: an item's CAS unique is its segment's base plus the 4-byte delta
     * in its header. Set by the segment's single appender before the first item is placed;
     * lock-free readers read it before validating their bucket's version.
     */
    final long[] casBase;
    /** Linked items per segment; thread-safe. */
    final AtomicIntegerArray liveItems;
    private long nextSequence = 1;

    private int freeHead = -1;
    private int freeCount;
    private final int[] head = {-1, -1, -1, -1};
    private final int[] tail = {-1, -1, -1, -1};
    private final int[] queued = new int[4];

    Segments(int count) {
        this.count = count;
        this.state = new byte[count];
        this.next = new int[count];
        this.prev = new int[count];
        this.used = new long[count];
        this.sequence = new long[count];
        this.casBase = new long[count];
        this.liveItems = new AtomicIntegerArray(count);
        for (int s = count - 1; s >= 0; s--) {
            release(s);
        }
    }

    byte state(int segment) {
        return state[segment];
    }

    int freeCount() {
        return freeCount;
    }

    int queued(byte queue) {
        return queued[queue];
    }

    int head(byte queue) {
        return head[queue];
    }

    /** @return the sequence number the next opened segment gets */
    long nextSequence() {
        return nextSequence;
    }

    /** @return a free segment, now open and empty, or -1 if none is free */
    int open() {
        int s = freeHead;
        if (s < 0) {
            return -1;
        }
        freeHead = next[s];
        freeCount--;
        state[s] = OPEN;
        used[s] = 0;
        sequence[s] = nextSequence++;
        return s;
    }

    /**
     * Centres an empty open segment's CAS range on a CAS unique: the base is 2^31 below it (or
     * 0), so that items whose CAS uniques lie within about 2^31 either side of it fit.
     */
    void setCasBase(int segment, long cas) {
        casBase[segment] = Math.max(0, cas - Items.CAS_DELTA_RANGE / 2);
    }

    /** @return whether an item with this CAS unique can be placed in the segment: its delta fits in 4 bytes */
    boolean admitsCas(int segment, long cas) {
        long delta = cas - casBase[segment];
        return delta >= 0 && delta < Items.CAS_DELTA_RANGE;
    }

    /** @return the CAS unique minus the segment's base, for an item's header; check {@link #admitsCas} first */
    long casDelta(int segment, long cas) {
        return cas - casBase[segment];
    }

    /** Puts an open segment at the tail of the small or main queue. */
    void seal(int segment, byte queue) {
        state[segment] = queue;
        next[segment] = -1;
        prev[segment] = tail[queue];
        if (tail[queue] >= 0) {
            next[tail[queue]] = segment;
        } else {
            head[queue] = segment;
        }
        tail[queue] = segment;
        queued[queue]++;
    }

    /** Takes a sealed segment out of its queue; it is then open (owned by the caller). */
    void unqueue(int segment) {
        byte queue = state[segment];
        int p = prev[segment];
        int n = next[segment];
        if (p >= 0) {
            next[p] = n;
        } else {
            head[queue] = n;
        }
        if (n >= 0) {
            prev[n] = p;
        } else {
            tail[queue] = p;
        }
        queued[queue]--;
        state[segment] = OPEN;
    }

    /** Returns an open segment, whose items are all unlinked, to the free list. */
    void release(int segment) {
        state[segment] = FREE;
        next[segment] = freeHead;
        freeHead = segment;
        freeCount++;
        used[segment] = 0;
    }

    /** @return the lowest sequence number of the segments in use, or {@link Long#MAX_VALUE} if none is */
    long oldestSequence() {
        long oldest = Long.MAX_VALUE;
        for (int s = 0; s < count; s++) {
            if (state[s] != FREE) {
                oldest = Math.min(oldest, sequence[s]);
            }
        }
        return oldest;
    }

    /** @return the first sealed segment with no linked items, or -1 */
    int findEmpty() {
        for (int s = 0; s < count; s++) {
            if ((state[s] == SMALL || state[s] == MAIN) && liveItems.get(s) == 0) {
                return s;
            }
        }
        return -1;
    }
}
