package dev.mnemo.store;

import java.util.concurrent.locks.ReentrantLock;

/**
 * One writer stripe: the open segments that writers holding its lock append items to (one
 * for items entering the small queue, one for items entering the main queue) and a block of
 * CAS uniques handed out without touching the shared counter. Writers spread over the
 * stripes so that appends do not serialise on one lock.
 *
 * <p>Fields are guarded by {@link #lock}; {@link #smallSegment} and {@link #mainSegment}
 * also by the store's segment lock when they change.
 */
final class Stripe {

    /** CAS uniques reserved from the region's counter at a time. */
    static final long CAS_BLOCK = 1024;

    final ReentrantLock lock = new ReentrantLock();
    int smallSegment = -1;
    int mainSegment = -1;
    long casNext;
    long casEnd;
}
