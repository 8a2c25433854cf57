package dev.mnemo.store;

import java.lang.foreign.MemorySegment;

/**
 * Appends new items to this process's open segments: the writer {@link Stripe}s (each with an
 * open segment for items entering the small queue and one for the main queue), the CAS
 * uniques handed out from each stripe's block, and the append, commit and abandon steps of a
 * write (DESIGN.md store direction point 3).
 *
 * <p>An item's bytes are written at the end of the stripe's current segment after
 * {@link #append}, become part of the segment's chain at {@link #commit} (before the item is
 * published in the index), and an item a racing writer made unpublishable is
 * {@link #abandon}ed. A segment is sealed into its queue when full, when its CAS range cannot
 * hold the next item's CAS unique, or when a flush_all has flushed it.
 *
 * <p>Thread-safety: a writer takes one stripe's lock ({@link #lockStripe}) and keeps it while
 * it appends, commits and publishes; stripe locks come before bucket locks. Segment changes
 * also take the segment lock.
 */
final class Appender {

    private final Region region;
    private final MemorySegment memory;
    private final Segments segments;
    private final SegmentLock segmentLock;
    private final SegmentAllocator allocator;
    private final Liveness liveness;
    private final boolean casEnabled;
    private final Stripe[] stripes;

    Appender(Region region, Segments segments, SegmentLock segmentLock, SegmentAllocator allocator, Liveness liveness,
             boolean casEnabled) {
        this.region = region;
        this.memory = region.memory;
        this.segments = segments;
        this.segmentLock = segmentLock;
        this.allocator = allocator;
        this.liveness = liveness;
        this.casEnabled = casEnabled;
        this.stripes = new Stripe[stripeCount(region)];
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Stripe();
        }
    }

    /** @return how many stripes a process uses on this region: one per processor, fewer in a small store */
    static int stripeCount(Region region) {
        return Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), (region.segmentCount - 2) / 8));
    }

    /** @return the fewest segments the store can work with: two open ones per stripe and two more */
    static int minimumSegments(Region region) {
        return 2 * stripeCount(region) + 2;
    }

    /** Takes a stripe's lock: the thread's own if free, else any free one, else waits for the thread's own. */
    Stripe lockStripe() {
        int n = stripes.length;
        int start = (int) (Thread.currentThread().threadId() % n);
        for (int i = 0; i < n; i++) {
            Stripe s = stripes[(start + i) % n];
            if (s.lock.tryLock()) {
                return s;
            }
        }
        Stripe s = stripes[start];
        s.lock.lock();
        return s;
    }

    /** Takes every stripe's lock, in order: no write of this process is then in progress. */
    void lockAll() {
        for (Stripe s : stripes) {
            s.lock.lock();
        }
    }

    void unlockAll() {
        for (int i = stripes.length - 1; i >= 0; i--) {
            stripes[i].lock.unlock();
        }
    }

    /** @return the next CAS unique from the stripe's block (reserving a new block from the region's counter), 0 without CAS */
    long nextCas(Stripe stripe) {
        if (!casEnabled) {
            return 0;
        }
        if (stripe.casNext == stripe.casEnd) {
            long block = region.header.reserveCas(Stripe.CAS_BLOCK);
            stripe.casNext = block + 1;
            stripe.casEnd = block + 1 + Stripe.CAS_BLOCK;
        }
        return stripe.casNext++;
    }

    /** @return the CAS unique chosen for a new item: {@code explicitCas} (meta flag E) when given and CAS is on, else the next */
    long casFor(Stripe stripe, long explicitCas) {
        return explicitCas != 0 && casEnabled ? explicitCas : nextCas(stripe);
    }

    /**
     * Finds room for {@code size} bytes at the end of the stripe's open small or main segment
     * (which becomes the stripe's current one), opening a new segment (and evicting) when it is
     * full, its CAS range cannot hold {@code cas}, or a flush_all from any process has flushed
     * it. The bytes join the segment's chain at {@link #commit}. Call holding the stripe's lock.
     *
     * @param cas the CAS unique of the item to be written there
     * @return the region offset of the space, or -1 if no segment could be freed
     */
    long append(Stripe stripe, boolean toMain, long size, long cas) {
        Stripe.Open open = toMain ? stripe.main : stripe.small;
        stripe.current = open;
        if (open.segment < 0 || open.used + size > region.segmentSize || !open.admitsCas(cas)
                || open.sequence < liveness.flushSequence()) {
            int segment;
            segmentLock.lock();
            try {
                if (open.segment >= 0) {
                    segments.seal(open.segment, toMain ? Segments.MAIN : Segments.SMALL);
                    open.segment = -1;
                }
                segment = allocator.allocate();
            } finally {
                segmentLock.unlock();
            }
            if (segment < 0) {
                return -1;
            }
            segments.setCasBase(segment, cas);
            open.segment = segment;
            open.used = 0;
            open.casBase = segments.casBase(segment);
            open.sequence = segments.sequence(segment);
        }
        return region.segmentBase(open.segment) + open.used;
    }

    /** @return the 4-byte delta an item appended to the stripe's current segment stores for CAS unique {@code cas} */
    static long casDelta(Stripe stripe, long cas) {
        return cas - stripe.current.casBase;
    }

    /**
     * Makes the item just written at the end of the stripe's current segment part of the
     * segment's item chain: call after writing all its bytes, before publishing it, holding the
     * stripe's lock.
     */
    void commit(Stripe stripe, long size) {
        Stripe.Open open = stripe.current;
        open.used += size;
        segments.setUsed(open.segment, open.used);
    }

    /** Marks an item written but not linked (a writer raced it), so that a scan of its segment skips it. */
    void abandon(long item) {
        Items.setBits(memory, item, Items.bits(memory, item) | Items.UNLINKED);
    }

    /** Puts every stripe back as new: no open segment, no CAS block ({@link Store#clear}); call holding every stripe lock. */
    void forgetAll() {
        for (Stripe s : stripes) {
            s.forget();
        }
    }

    /** Seals this process's open segments; call holding every stripe lock and the segment lock. */
    void sealAll() {
        for (Stripe s : stripes) {
            if (s.small.segment >= 0) {
                segments.seal(s.small.segment, Segments.SMALL);
                s.small.segment = -1;
            }
            if (s.main.segment >= 0) {
                segments.seal(s.main.segment, Segments.MAIN);
                s.main.segment = -1;
            }
        }
    }
}
