package dev.mnemo.store;


/**
 * The lock that serialises segment allocation, eviction, sealing and flush across every process
 * sharing the region: a word in the region's header holding 0 or its holder's
 * {@link ProcessTable#ownerId}. Not reentrant. A waiter checks the holder's liveness every
 * {@value Index#CHECK_SPINS} spins; if its process has died, the waiter takes the lock over and
 * {@link #lock} repairs what the dead holder (and any other process found dead) may have left
 * half-done ({@link Recovery#reclaim}). Thread-safe.
 */
final class SegmentLock {

    private final RegionHeader header;
    private final ProcessTable processes;
    private final Recovery recovery;

    SegmentLock(Region region, ProcessTable processes, Recovery recovery) {
        this.header = region.header;
        this.processes = processes;
        this.recovery = recovery;
    }

    /**
     * Takes the lock; if it was taken from a dead holder, or processes were found dead, first
     * reclaims what they held ({@link Recovery#reclaim}). Call holding no bucket lock.
     */
    void lock() {
        boolean takenOver = acquire();
        long mask = processes.takeReclaimMask();
        if (takenOver || mask != 0) {
            try {
                recovery.reclaim(mask, takenOver);
            } catch (RuntimeException | Error e) {
                unlock();
                throw e;
            }
        }
    }

    /**
     * Takes the lock, waiting as long as its holder lives, without reclaiming anything (a warm
     * restart rebuilds everything itself; the crash tests leave it held).
     *
     * @return true if it was taken over from a dead holder: the caller must repair the queues
     */
    boolean acquire() {
        long me = processes.ownerId();
        for (int spins = 1;; spins++) {
            long w = header.segmentLockWord();
            if (w == 0) {
                if (header.casSegmentLock(0L, me)) {
                    return false;
                }
            } else if (spins % Index.CHECK_SPINS == 0 && !processes.isLiveOwner(w)) {
                if (header.casSegmentLock(w, me)) {
                    processes.markForReclaim(ProcessTable.slotOfOwner(w));
                    return true;
                }
            }
            if (spins % 64 == 0) {
                Thread.yield(); // the holder may be evicting a whole segment
            } else {
                Thread.onSpinWait();
            }
        }
    }

    void unlock() {
        header.releaseSegmentLock();
    }
}
