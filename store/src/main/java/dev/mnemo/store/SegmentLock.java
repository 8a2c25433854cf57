package dev.mnemo.store;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The lock that serialises segment allocation, eviction, sealing and flush across every process
 * sharing the region: a word in the region's header holding 0 or its holder's
 * {@link ProcessTable#ownerId}. Not reentrant. A waiter checks the holder's liveness every
 * {@value Index#CHECK_SPINS} spins; if its process has died, the waiter takes the lock over and
 * {@link #lock} reports it, so that the caller repairs what the dead holder may have left
 * half-done. Thread-safe.
 */
final class SegmentLock {

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final MemorySegment memory;
    private final ProcessTable processes;

    SegmentLock(Region region, ProcessTable processes) {
        this.memory = region.memory;
        this.processes = processes;
    }

    /**
     * Takes the lock, waiting as long as its holder lives.
     *
     * @return true if it was taken over from a dead holder: the caller must repair the queues
     */
    boolean lock() {
        long me = processes.ownerId();
        for (int spins = 1;; spins++) {
            long w = (long) LONG.getVolatile(memory, Region.H_SEGMENT_LOCK);
            if (w == 0) {
                if (LONG.compareAndSet(memory, Region.H_SEGMENT_LOCK, 0L, me)) {
                    return false;
                }
            } else if (spins % Index.CHECK_SPINS == 0 && !processes.isLiveOwner(w)) {
                if (LONG.compareAndSet(memory, Region.H_SEGMENT_LOCK, w, me)) {
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
        LONG.setRelease(memory, Region.H_SEGMENT_LOCK, 0L);
    }
}
