package dev.mnemo.store;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The table of processes using a region, in its header (issue 7, "Crash safety"): {@value #SLOTS}
 * entries of 32 bytes, each free (pid 0) or held by one open {@link Store} — the owner or an
 * attached process — as its pid, its start time (milliseconds since the epoch, 0 if the OS does
 * not say) and a random token. A lock word names its holder by {@link #ownerId}, which contains
 * the holder's slot, so that a waiter can tell a lock held by a dead process and break it.
 *
 * <p>A slot whose pid is this JVM's is live only while a store of this JVM holds it (its token
 * is in {@link #HELD}); another pid's slot is live while that process runs with the same start
 * time. Thread-safe.
 */
final class ProcessTable {

    static final int SLOTS = 64;
    private static final long MY_PID = ProcessHandle.current().pid();
    private static final long MY_START = startOf(ProcessHandle.current());
    /** The tokens of the slots this JVM's open stores hold. */
    private static final Set<Long> HELD = ConcurrentHashMap.newKeySet();

    private final RegionHeader header;
    private int slot = -1;
    private long token;

    ProcessTable(Region region) {
        this.header = region.header;
    }

    private static long startOf(ProcessHandle handle) {
        return handle.info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
    }

    /**
     * Takes a free slot for this store (marking dead processes' slots for reclaim if none is free).
     *
     * @return the slot
     * @throws IllegalStateException if {@value #SLOTS} live processes already use the region
     */
    int register() {
        for (int s = 0; s < SLOTS; s++) {
            if (header.casProcessPid(s, 0L, MY_PID)) {
                token = ThreadLocalRandom.current().nextLong() | 1;
                HELD.add(token);
                header.setProcessStart(s, MY_START);
                header.publishProcessToken(s, token);
                slot = s;
                return s;
            }
        }
        markDead();
        throw new IllegalStateException("the region's process table is full: " + SLOTS
                + " processes use it; dead ones are reclaimed at the next segment allocation");
    }

    /** Frees this store's slot. */
    void release() {
        if (slot >= 0) {
            HELD.remove(token);
            free(slot, MY_PID);
            slot = -1;
        }
    }

    /** @return the pid holding the slot, or 0 if it is free */
    long pidOf(int s) {
        return header.processPid(s);
    }

    /**
     * Frees a slot still held by {@code pid} (its process has ended and everything it held has
     * been reclaimed). A slot is only taken when free, so a process registering meanwhile is
     * never thrown out.
     */
    void free(int s, long pid) {
        if (pidOf(s) == pid) {
            header.clearProcessToken(s);
            header.setProcessStart(s, 0L);
            header.casProcessPid(s, pid, 0L);
        }
    }

    int slot() {
        return slot;
    }

    /** @return this thread's owner id for lock words: the slot in the top bits, the thread below; never 0 */
    int ownerId() {
        return (slot + 1) << 24 | (int) (Thread.currentThread().threadId() & 0xFF_FFFF) | 1;
    }

    /** @return the slot an owner id names, or -1 if it names none */
    static int slotOfOwner(long ownerId) {
        long s = (ownerId >>> 24) - 1;
        return s >= 0 && s < SLOTS ? (int) s : -1;
    }

    /** @return whether the slot is held by a running process (or one still registering) */
    boolean isLive(int s) {
        if (s < 0 || s >= SLOTS) {
            return false;
        }
        long pid = header.processPid(s);
        if (pid == 0) {
            return false;
        }
        long token = header.processToken(s);
        if (pid == MY_PID) {
            return token == 0 || HELD.contains(token);
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        long start = header.processStart(s);
        long actual = startOf(handle.get());
        return start == 0 || actual == 0 || start == actual;
    }

    /** @return whether the owner id names a live process */
    boolean isLiveOwner(long ownerId) {
        return isLive(slotOfOwner(ownerId));
    }

    /** Asks the next segment-lock holder to reclaim what a dead process held. */
    void markForReclaim(int s) {
        if (s >= 0 && s < SLOTS) {
            long mask;
            do {
                mask = header.reclaimMask();
            } while ((mask & 1L << s) == 0 && !header.casReclaimMask(mask, mask | 1L << s));
        }
    }

    /** @return the slots marked for reclaim, clearing the marks */
    long takeReclaimMask() {
        return header.takeReclaimMask();
    }

    /** Marks every slot held by a dead process for reclaim. */
    void markDead() {
        for (int s = 0; s < SLOTS; s++) {
            if (header.processPid(s) != 0 && !isLive(s)) {
                markForReclaim(s);
            }
        }
    }

    /** @return whether any slot other than this store's is held by a live process */
    boolean othersLive() {
        for (int s = 0; s < SLOTS; s++) {
            if (s != slot && isLive(s)) {
                return true;
            }
        }
        return false;
    }
}
