package dev.mnemo.store;

import java.lang.foreign.MemorySegment;

/**
 * Whether an item is live, and its CAS unique: an item is dead once its exptime has passed
 * (EXPIRED) or a flush_all came after its segment was opened (FLUSHED: its segment's sequence
 * number is below the flush sequence in the region's header). Thread-safe and lock-free: a
 * racing reader validates what it read afterwards.
 */
final class Liveness {

    static final int LIVE = 0;
    static final int EXPIRED = 1;
    static final int FLUSHED = 2;

    private final Region region;
    private final MemorySegment memory;
    private final RegionHeader header;
    private final Segments segments;
    private final boolean casEnabled;

    Liveness(Region region, Segments segments) {
        this.region = region;
        this.memory = region.memory;
        this.header = region.header;
        this.segments = segments;
        this.casEnabled = region.casEnabled();
    }

    /** @return {@link #LIVE}, {@link #EXPIRED} or {@link #FLUSHED} */
    int of(long item, long now) {
        long flushed = header.flushSequence();
        if (flushed != 0 && segments.sequence(region.segmentOf(item)) < flushed) {
            return FLUSHED;
        }
        long expires = Items.exptime(memory, item);
        return expires != 0 && expires <= now ? EXPIRED : LIVE;
    }

    /** @return the flush sequence: items in segments opened before it are flushed; 0 if none is left */
    long flushSequence() {
        return header.flushSequence();
    }

    /**
     * Flushes every item in a segment opened so far. Call under the segment lock, with every
     * open segment (the writer stripes' and the eviction target) already sealed.
     */
    void flushOpenedSegments() {
        header.setFlushSequence(segments.nextSequence());
    }

    /** Forgets a flush no segment in use predates, so reads skip the check; call under the segment lock. */
    void forgetFinishedFlush() {
        long flushed = header.flushSequence();
        if (flushed != 0 && segments.oldestSequence() >= flushed) {
            header.setFlushSequence(0);
        }
    }

    /** @return the item's CAS unique: its segment's base plus its delta */
    long casOf(long item) {
        return segments.casBase(region.segmentOf(item)) + Items.casDelta(memory, item);
    }

    /** @return whether the item's CAS unique is {@code casUnique}; never when CAS is disabled (memcached -C: every item's is 0) */
    boolean casMatches(long item, long casUnique) {
        return casEnabled && casOf(item) == casUnique;
    }
}
