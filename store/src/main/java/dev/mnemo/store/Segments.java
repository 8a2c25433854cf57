package dev.mnemo.store;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Bookkeeping of the region's segments (DESIGN.md store direction points 3 and 5): each is
 * free, open (being appended to by one writer stripe of one process, or by the evictor), or
 * sealed in the small (probationary) or main FIFO of S3-FIFO. The queues are intrusive doubly
 * linked lists through per-segment metadata.
 *
 * <p>Everything lives in the region, so that every process sharing it sees one set of queues:
 * the queue heads, tails and counts, the free list and the sequence counter in the header, and
 * {@value #META_SIZE} bytes per segment:
 *
 * <pre>
 * offset size field
 *  0     4    state: FREE, OPEN, SMALL, MAIN
 *  4     4    owner of an OPEN segment: a process slot, or {@link #EVICTOR}
 *  8     4    next segment in its queue or the free list, or -1
 * 12     4    previous segment in its queue, or -1
 * 16     4    linked items (a hint: exact unless a process died mid-update)
 * 24     8    bytes of complete items appended (the item chain's end); advanced only after an
 *             item's bytes are written, so a process dying mid-append leaves no half-item in it
 * 32     8    allocation sequence number, for flush_all
 * 40     8    CAS base: an item's CAS unique is the base plus the 4-byte delta in its header
 * </pre>
 *
 * <p>Not thread-safe except where noted: the store guards it with its segment lock. Every
 * link read from the region is checked; a bad one throws {@link StoreCorruptedException}.
 */
final class Segments {

    static final int META_SIZE = 48;

    static final byte FREE = 0;
    static final byte OPEN = 1;
    static final byte SMALL = 2;
    static final byte MAIN = 3;
    /** The owner of the evictor's target segment: whichever process holds the segment lock. */
    static final int EVICTOR = -1;

    private static final long STATE = 0;
    private static final long OWNER = 4;
    private static final long NEXT = 8;
    private static final long PREV = 12;
    private static final long LIVE = 16;
    private static final long USED = 24;
    private static final long SEQUENCE = 32;
    private static final long CAS_BASE = 40;
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    final int count;
    private final MemorySegment memory;
    private final RegionHeader header;
    private final long segmentSize;
    private final int maxItemSize;

    Segments(Region region) {
        this.count = region.segmentCount;
        this.memory = region.memory;
        this.header = region.header;
        this.segmentSize = region.segmentSize;
        this.maxItemSize = region.maxItemSize;
    }

    /** Writes empty queues and a free list of every segment into a fresh region. */
    static void initialise(Region region) {
        Segments s = new Segments(region);
        s.header.setNextSequence(1L);
        s.header.setSegmentBudget(s.count);
        s.header.setEvictionTarget(-1);
        for (int i = 0; i < s.count; i++) {
            s.setInt(i, STATE, FREE);
        }
        s.rebuildQueues();
    }

    /** @return the offset of the segment's metadata, the segment number checked first */
    private long meta(int segment) {
        if (segment < 0 || segment >= count) {
            throw new StoreCorruptedException("segment number " + segment + " is outside 0.." + (count - 1));
        }
        return Region.META_OFFSET + (long) segment * META_SIZE;
    }

    private int getInt(int segment, long field) {
        return memory.get(ValueLayout.JAVA_INT, meta(segment) + field);
    }

    private void setInt(int segment, long field, int value) {
        memory.set(ValueLayout.JAVA_INT, meta(segment) + field, value);
    }

    /** @return the link, checked to be -1 or a segment number */
    private int link(int value, String what) {
        if (value < -1 || value >= count) {
            throw new StoreCorruptedException("segment " + what + " link " + value + " is outside 0.." + (count - 1));
        }
        return value;
    }

    byte state(int segment) {
        int s = getInt(segment, STATE);
        if (s < FREE || s > MAIN) {
            throw new StoreCorruptedException("segment " + segment + " has state " + s);
        }
        return (byte) s;
    }

    int owner(int segment) {
        return getInt(segment, OWNER);
    }

    void setOwner(int segment, int owner) {
        setInt(segment, OWNER, owner);
    }

    /** Marks every open segment sealed in the main queue, before {@link #rebuildQueues} links them (recovery). */
    void sealAllOpen() {
        for (int s = 0; s < count; s++) {
            if (state(s) == OPEN) {
                setInt(s, STATE, MAIN);
            }
        }
    }

    /** @return whether another segment may be opened within the segment budget (the memory limit in force) */
    boolean belowBudget() {
        return count - freeCount() < header.segmentBudget();
    }

    /**
     * @return the size of the item at {@code item} in the segment's chain, which ends at {@code end}
     * @throws StoreCorruptedException if its lengths are corrupt
     */
    long chainedItemSize(long item, long end, int segment) {
        long size = Items.checkedSize(memory, item, end, maxItemSize);
        if (size < 0) {
            throw new StoreCorruptedException("corrupt item at region offset " + item + " in segment " + segment);
        }
        return size;
    }

    int freeCount() {
        return header.freeCount();
    }

    int queued(byte queue) {
        return header.queueCount(queue);
    }

    int head(byte queue) {
        return link(header.queueHead(queue), "queue head");
    }

    int next(int segment) {
        return link(getInt(segment, NEXT), "next");
    }

    /** @return bytes of complete items in the segment, checked to fit it */
    long used(int segment) {
        long used = (long) LONG.getAcquire(memory, meta(segment) + USED);
        if (used < 0 || used > segmentSize) {
            throw new StoreCorruptedException("segment " + segment + " claims " + used + " bytes used of " + segmentSize);
        }
        return used;
    }

    /** Publishes the end of the segment's complete items: call after writing them. */
    void setUsed(int segment, long used) {
        LONG.setRelease(memory, meta(segment) + USED, used);
    }

    long sequence(int segment) {
        return memory.get(ValueLayout.JAVA_LONG, meta(segment) + SEQUENCE);
    }

    long casBase(int segment) {
        return memory.get(ValueLayout.JAVA_LONG, meta(segment) + CAS_BASE);
    }

    /** @return the segment's linked items (thread-safe) */
    int liveItems(int segment) {
        return (int) INT.getVolatile(memory, meta(segment) + LIVE);
    }

    /** Adds to the segment's linked items (thread-safe). */
    void addLiveItems(int segment, int delta) {
        INT.getAndAdd(memory, meta(segment) + LIVE, delta);
    }

    void setLiveItems(int segment, int value) {
        INT.setVolatile(memory, meta(segment) + LIVE, value);
    }

    /** @return the sequence number the next opened segment gets */
    long nextSequence() {
        return header.nextSequence();
    }

    /**
     * @param owner the opening process's slot, or {@link #EVICTOR}
     * @return a free segment, now open and empty, or -1 if none is free
     */
    int open(int owner) {
        int s = link(header.freeHead(), "free list head");
        if (s < 0) {
            return -1;
        }
        if (state(s) != FREE) {
            throw new StoreCorruptedException("segment " + s + " is on the free list in state " + state(s));
        }
        header.setFreeHead(next(s));
        header.setFreeCount(freeCount() - 1);
        setUsed(s, 0);
        setLiveItems(s, 0);
        long sequence = nextSequence();
        memory.set(ValueLayout.JAVA_LONG, meta(s) + SEQUENCE, sequence);
        header.setNextSequence(sequence + 1);
        setInt(s, OWNER, owner);
        setInt(s, STATE, OPEN);
        return s;
    }

    /**
     * Centres an empty open segment's CAS range on a CAS unique: the base is 2^31 below it (or
     * 0), so that items whose CAS uniques (unsigned 64-bit) lie within about 2^31 either side of it fit.
     */
    void setCasBase(int segment, long cas) {
        long half = Items.CAS_DELTA_RANGE / 2;
        memory.set(ValueLayout.JAVA_LONG, meta(segment) + CAS_BASE, Long.compareUnsigned(cas, half) < 0 ? 0 : cas - half);
    }

    /** @return whether an item with this CAS unique can be placed in the segment: its delta fits in 4 bytes */
    boolean admitsCas(int segment, long cas) {
        return Items.fitsCasDelta(cas - casBase(segment));
    }

    /** @return the CAS unique minus the segment's base, for an item's header; check {@link #admitsCas} first */
    long casDelta(int segment, long cas) {
        return cas - casBase(segment);
    }

    /** Puts an open segment at the tail of the small or main queue. */
    void seal(int segment, byte queue) {
        int tail = link(header.queueTail(queue), "queue tail");
        setInt(segment, NEXT, -1);
        setInt(segment, PREV, tail);
        if (tail >= 0) {
            setInt(tail, NEXT, segment);
        } else {
            header.setQueueHead(queue, segment);
        }
        header.setQueueTail(queue, segment);
        header.setQueueCount(queue, queued(queue) + 1);
        setInt(segment, STATE, queue);
    }

    /** Takes a sealed segment out of its queue; it is then open, owned by {@code owner}. */
    void unqueue(int segment, int owner) {
        byte queue = state(segment);
        if (queue != SMALL && queue != MAIN) {
            throw new StoreCorruptedException("segment " + segment + " taken from a queue in state " + queue);
        }
        int p = link(getInt(segment, PREV), "prev");
        int n = next(segment);
        if (p >= 0) {
            setInt(p, NEXT, n);
        } else {
            header.setQueueHead(queue, n);
        }
        if (n >= 0) {
            setInt(n, PREV, p);
        } else {
            header.setQueueTail(queue, p);
        }
        header.setQueueCount(queue, queued(queue) - 1);
        setInt(segment, OWNER, owner);
        setInt(segment, STATE, OPEN);
    }

    /** Returns an open segment, whose items are all unlinked, to the free list. */
    void release(int segment) {
        setUsed(segment, 0);
        setLiveItems(segment, 0);
        setInt(segment, NEXT, link(header.freeHead(), "free list head"));
        setInt(segment, STATE, FREE);
        header.setFreeHead(segment);
        header.setFreeCount(freeCount() + 1);
    }

    /** @return the lowest sequence number of the segments in use, or {@link Long#MAX_VALUE} if none is */
    long oldestSequence() {
        long oldest = Long.MAX_VALUE;
        for (int s = 0; s < count; s++) {
            if (state(s) != FREE) {
                oldest = Math.min(oldest, sequence(s));
            }
        }
        return oldest;
    }

    /** @return the first sealed segment with no linked items, or -1 */
    int findEmpty() {
        for (int s = 0; s < count; s++) {
            byte state = state(s);
            if ((state == SMALL || state == MAIN) && liveItems(s) <= 0) {
                return s;
            }
        }
        return -1;
    }

    /**
     * Relinks the free list and both queues from the segments' states, queues in sequence order
     * (FIFO order): repairs whatever a process that died holding the segment lock left half-linked.
     * Open segments stay out of every list. Call under the segment lock.
     */
    void rebuildQueues() {
        Integer[] byQueue = new Integer[count];
        int free = -1;
        int freeCount = 0;
        for (int q = 0; q < 4; q++) {
            header.setQueueHead(q, -1);
            header.setQueueTail(q, -1);
            header.setQueueCount(q, 0);
        }
        for (byte queue : new byte[] {SMALL, MAIN}) {
            int n = 0;
            for (int s = 0; s < count; s++) {
                if (state(s) == queue) {
                    byQueue[n++] = s;
                }
            }
            Arrays.sort(byQueue, 0, n, Comparator.comparingLong(this::sequence));
            for (int i = 0; i < n; i++) {
                seal(byQueue[i], queue);
            }
        }
        for (int s = count - 1; s >= 0; s--) {
            if (state(s) == FREE) {
                setInt(s, NEXT, free);
                free = s;
                freeCount++;
            }
        }
        header.setFreeHead(free);
        header.setFreeCount(freeCount);
    }
}
