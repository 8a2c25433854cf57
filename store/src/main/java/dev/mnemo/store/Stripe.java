package dev.mnemo.store;

import java.util.concurrent.locks.ReentrantLock;

/**
 * One writer stripe of this process: the open segments that writers holding its lock append
 * items to (one for items entering the small queue, one for items entering the main queue) and
 * a block of CAS uniques handed out without touching the shared counter. Writers spread over
 * the stripes so that appends do not serialise on one lock.
 *
 * <p>Fields are guarded by {@link #lock}; an {@link Open}'s segment also by the store's segment
 * lock when it changes.
 */
final class Stripe {

    /** CAS uniques reserved from the region's counter at a time. */
    static final long CAS_BLOCK = 1024;

    /**
     * A segment the stripe appends to, with this process's copies of the metadata only its
     * appender changes (the region's are written through), so that an append reads none from
     * the region.
     */
    static final class Open {
        int segment = -1;
        /** Bytes of complete items in it, as in the region's metadata. */
        long used;
        long casBase;
        long sequence;

        /** @return whether an item with this CAS unique can be placed in it: its delta fits in 4 bytes */
        boolean admitsCas(long cas) {
            return Items.fitsCasDelta(cas - casBase);
        }

        void forget() {
            segment = -1;
            used = 0;
            casBase = 0;
            sequence = 0;
        }
    }

    final ReentrantLock lock = new ReentrantLock();
    final Open small = new Open();
    final Open main = new Open();
    /** The segment of the last {@code append}, which its item is committed to. */
    Open current;
    long casNext;
    long casEnd;

    /** Puts the stripe back as new: no open segment, no CAS block ({@link Store#clear}). */
    void forget() {
        small.forget();
        main.forget();
        current = null;
        casNext = 0;
        casEnd = 0;
    }
}
