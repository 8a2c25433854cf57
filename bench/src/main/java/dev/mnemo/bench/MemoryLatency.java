package dev.mnemo.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.Random;

/**
 * The machine's floor for the store's latency: the time of one dependent random load
 * (a pointer chase through a random cycle of 64-byte lines) in off-heap regions of several
 * sizes, as wall-clock and as this thread's CPU time (which leaves out time the thread was
 * descheduled on a busy machine). A get over a store of hundreds of MiB touches at least an
 * index bucket and then the item it points to, so it cannot beat about two of these loads.
 *
 * <p>Usage: {@code java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar dev.mnemo.bench.MemoryLatency [MiB…]}
 * (default 1 40 512).
 */
public final class MemoryLatency {

    private static final int LINE = 64;
    private static final int LOADS = 5_000_000;
    private static final int ROUNDS = 3;

    private MemoryLatency() {
    }

    public static void main(String[] args) {
        String[] sizes = args.length > 0 ? args : new String[] {"1", "40", "512"};
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (String size : sizes) {
            long bytes = Long.parseLong(size) << 20;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment memory = randomCycle(arena, bytes);
                long position = 0;
                for (int round = 0; round < ROUNDS; round++) {
                    long cpu = threads.getCurrentThreadCpuTime();
                    long wall = System.nanoTime();
                    for (int i = 0; i < LOADS; i++) {
                        position = memory.get(ValueLayout.JAVA_LONG, position);
                    }
                    wall = System.nanoTime() - wall;
                    cpu = threads.getCurrentThreadCpuTime() - cpu;
                    System.out.printf(Locale.ROOT, "%s MiB: %.0f ns wall-clock, %.0f ns CPU per dependent random load%n",
                            size, wall / (double) LOADS, cpu / (double) LOADS);
                }
                if (position % LINE != 0) {
                    throw new IllegalStateException("the chase left the cycle at " + position);
                }
            }
        }
    }

    /** @return {@code bytes} of memory whose 64-byte lines each hold the offset of the next line of one random cycle */
    private static MemorySegment randomCycle(Arena arena, long bytes) {
        int lines = Math.toIntExact(bytes / LINE);
        int[] order = new int[lines];
        for (int i = 0; i < lines; i++) {
            order[i] = i;
        }
        Random random = new Random(42);
        for (int i = lines - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        MemorySegment memory = arena.allocate(bytes, LINE);
        for (int i = 0; i < lines; i++) {
            memory.set(ValueLayout.JAVA_LONG, (long) order[i] * LINE, (long) order[(i + 1) % lines] * LINE);
        }
        return memory;
    }
}
