package dev.mnemo.store;

import java.lang.foreign.MemorySegment;
import java.util.BitSet;

/**
 * The whole-region check behind {@link Store#checkConsistency()}: header, segment metadata,
 * free list and queues, every segment's item chain, every index bucket and slot (each linked
 * item matching its checksum), and the linked-item and byte accounting. Run it on a quiescent store only (a concurrent writer makes
 * it report a false problem). Bounded: each list walk stops after as many steps as there are
 * segments, each chain walk at its segment's end. Not thread-safe.
 */
final class Consistency {

    private final Region region;
    private final MemorySegment memory;
    private final Index index;
    private final Segments segments;
    private final Counters counters;
    private final ProcessTable processes;
    private final ItemChecksum checksum;

    Consistency(Region region, Index index, Segments segments, Counters counters, ProcessTable processes) {
        this.region = region;
        this.memory = region.memory;
        this.checksum = new ItemChecksum(region);
        this.index = index;
        this.segments = segments;
        this.counters = counters;
        this.processes = processes;
    }

    /** @throws IllegalStateException naming the first problem found */
    void check() {
        checkHeader();
        checkLists();
        BitSet[] itemStarts = new BitSet[segments.count];
        checkChains(itemStarts);
        checkIndex(itemStarts);
    }

    private static void fail(String problem) {
        throw new IllegalStateException("store inconsistent: " + problem);
    }

    private void checkHeader() {
        RegionHeader h = region.header;
        if (h.magic() != Region.MAGIC) {
            fail("bad magic");
        }
        String[] names = {"memory limit", "buckets", "segment size", "segments", "segments offset"};
        long[] found = {h.memoryLimit(), h.buckets(), h.segmentSize(), h.segments(), h.segmentsOffset()};
        long[] expected = {region.memoryLimit, region.bucketCount, region.segmentSize, region.segmentCount,
            region.segmentsOffset};
        for (int i = 0; i < found.length; i++) {
            if (found[i] != expected[i]) {
                fail("header field " + names[i] + " is " + found[i] + ", the geometry gives " + expected[i]);
            }
        }
        if (h.segmentLockWord() != 0) {
            fail("the segment lock is held");
        }
    }

    private void checkLists() {
        int count = segments.count;
        int[] inList = new int[count];
        int freeSteps = 0;
        for (int s = region.header.freeHead(); s >= 0; s = segments.next(s)) {
            if (s >= count || ++freeSteps > count) {
                fail("the free list is longer than the segment count or loops");
            }
            if (segments.state(s) != Segments.FREE) {
                fail("segment " + s + " is on the free list in state " + segments.state(s));
            }
            inList[s]++;
        }
        if (freeSteps != segments.freeCount()) {
            fail("the free list holds " + freeSteps + " segments, its count says " + segments.freeCount());
        }
        for (byte queue : new byte[] {Segments.SMALL, Segments.MAIN}) {
            int steps = 0;
            for (int s = segments.head(queue); s >= 0; s = segments.next(s)) {
                if (++steps > count) {
                    fail("queue " + queue + " loops");
                }
                if (segments.state(s) != queue) {
                    fail("segment " + s + " is in queue " + queue + " in state " + segments.state(s));
                }
                inList[s]++;
            }
            if (steps != segments.queued(queue)) {
                fail("queue " + queue + " holds " + steps + " segments, its count says " + segments.queued(queue));
            }
        }
        for (int s = 0; s < count; s++) {
            byte state = segments.state(s);
            if (state == Segments.OPEN ? inList[s] != 0 : inList[s] != 1) {
                fail("segment " + s + " in state " + state + " is on " + inList[s] + " lists");
            }
        }
        int target = region.header.evictionTarget();
        if (target >= count || target >= 0 && segments.state(target) != Segments.OPEN) {
            fail("the eviction target " + target + " is not an open segment");
        }
        for (int s = 0; s < count; s++) {
            if (segments.state(s) != Segments.OPEN) {
                continue;
            }
            int owner = segments.owner(s);
            if (owner == Segments.EVICTOR ? s != target : !processes.isLive(owner)) {
                fail("open segment " + s + " belongs to " + (owner == Segments.EVICTOR ? "the evictor but is not its target"
                        : "process slot " + owner + ", which no live process holds") + ": it is leaked");
            }
        }
    }

    /** Records each segment's item starts, as offsets from the segment's base. */
    private void checkChains(BitSet[] itemStarts) {
        for (int s = 0; s < segments.count; s++) {
            if (segments.state(s) == Segments.FREE) {
                continue;
            }
            itemStarts[s] = new BitSet();
            long base = region.segmentBase(s);
            long end = base + segments.used(s);
            for (long item = base; item < end; ) {
                long size = Items.checkedSize(memory, item, end, region.maxItemSize);
                if (size < 0) {
                    fail("corrupt item at region offset " + item + " in segment " + s);
                }
                itemStarts[s].set((int) (item - base));
                item += size;
            }
        }
    }

    private void checkIndex(BitSet[] itemStarts) {
        long[] live = new long[segments.count];
        long items = 0;
        long bytes = 0;
        BitSet[] linked = new BitSet[segments.count];
        for (long b = 0; b < index.activeBuckets(); b++) {
            long w = index.lockWord(b);
            if ((w >>> 32) != 0 || (w & 1) != 0) {
                fail("bucket " + b + " is locked (word " + Long.toHexString(w) + ")");
            }
            for (int i = 0; i < Region.SLOTS_PER_BUCKET; i++) {
                long slot = index.slot(b, i);
                if (slot == 0) {
                    continue;
                }
                long item = Index.itemOf(slot);
                String where = "bucket " + b + " slot " + i + " (item at " + item + ")";
                if (item < region.segmentsOffset || item >= memory.byteSize()) {
                    fail(where + " points outside the segments");
                }
                int segment = region.segmentOf(item);
                int relative = (int) (item - region.segmentBase(segment));
                if (itemStarts[segment] == null || !itemStarts[segment].get(relative)) {
                    fail(where + " does not point at an item of a segment's chain");
                }
                if (linked[segment] == null) {
                    linked[segment] = new BitSet();
                }
                if (linked[segment].get(relative)) {
                    fail(where + " is linked twice");
                }
                linked[segment].set(relative);
                int keyLength = Items.keyLength(memory, item);
                long hash = KeyHash.hash(memory, Items.keyOffset(item), keyLength);
                if (!index.isBucketOf(hash, b)) {
                    fail(where + " is in neither of its key's buckets");
                }
                if ((slot >>> 48) != Index.tagOf(hash)) {
                    fail(where + " has the wrong tag");
                }
                if ((Items.bits(memory, item) & Items.UNLINKED) != 0) {
                    fail(where + " is marked unlinked");
                }
                if (!checksum.matches(item, keyLength, Items.valueLength(memory, item))) {
                    fail(where + " does not match its checksum");
                }
                live[segment]++;
                items++;
                bytes += Items.size(keyLength, Items.valueLength(memory, item));
            }
        }
        for (int s = 0; s < segments.count; s++) {
            if (segments.liveItems(s) != live[s]) {
                fail("segment " + s + " counts " + segments.liveItems(s) + " linked items, the index has " + live[s]);
            }
        }
        if (counters.currItems.sum() != items) {
            fail("curr_items is " + counters.currItems.sum() + ", the index links " + items + " items");
        }
        if (counters.bytes.sum() != bytes) {
            fail("bytes is " + counters.bytes.sum() + ", the linked items take " + bytes);
        }
    }
}
