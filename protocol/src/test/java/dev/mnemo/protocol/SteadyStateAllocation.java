package dev.mnemo.protocol;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/** The allocation-free request paths' check, shared by the text, meta and binary allocation tests. */
final class SteadyStateAllocation {

    /** Runs of the requests before the check fails. */
    private static final int ROUNDS = 5;

    private SteadyStateAllocation() {
    }

    /**
     * Runs {@code requests} up to {@value #ROUNDS} times and passes once a run allocates less than
     * {@code maxBytes} on this thread (the JVM's per-thread allocation counter). One run may
     * allocate what compiled code does not: on a busy machine the JIT may still be compiling the
     * path after the warm-up (a test run under load saw 55 KB in the first round), and a
     * deoptimization (another test's classes loading) materializes objects the compiled code had
     * kept in registers. An allocation in the compiled path shows in every round, and fails.
     *
     * @param maxBytes bytes a run must stay under
     * @param what     what one run does, for the failure message ("20000 get hits")
     * @param requests one run
     */
    static void assertBelow(long maxBytes, String what, Runnable requests) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<Long> rounds = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            requests.run();
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (allocated < maxBytes) {
                return;
            }
            rounds.add(allocated);
        }
        fail("bytes allocated for " + what + ", per round: " + rounds);
    }
}
