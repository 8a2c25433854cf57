package dev.mnemo.bench;

import dev.mnemo.store.ItemWrite;
import dev.mnemo.store.Store;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;

/**
 * {@link MixedBenchmark}'s workload (90 % get / 10 % set over 2^20 items of 10-byte keys and
 * 100-byte values in one 512 MiB store) measured in each thread's own CPU time, with one and
 * then two threads, alternating, for a machine too busy for wall-clock scaling figures.
 *
 * <p>CPU time leaves out the time a thread waited for a core, but keeps everything the store
 * makes it do: lock spinning, seqlock retries, cache lines bouncing between cores and memory
 * stalls all show up as more CPU nanoseconds per operation. So if two threads each spend as
 * many CPU nanoseconds per operation as one thread alone, two free cores would give twice the
 * throughput; the ratio printed — (CPU ns/op alone) / (mean CPU ns/op of the two) × 2 — is that
 * projected speed-up. It is not a wall-clock measurement and says so in its output.
 *
 * <p>Usage: {@code java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar dev.mnemo.bench.MixedCpuTime [rounds]}
 */
public final class MixedCpuTime {

    private static final int OPERATIONS = 3_000_000;

    private MixedCpuTime() {
    }

    public static void main(String[] args) throws InterruptedException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        ThreadMXBean cpuClock = ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofShared();
             Store store = StoreBenchmark.open(StoreBenchmark.MEMORY_LIMIT)) {
            FixedKeys keys = new FixedKeys(arena, StoreBenchmark.ITEMS);
            MemorySegment value = arena.allocate(StoreBenchmark.VALUE_LENGTH);
            value.fill((byte) 'v');
            StoreBenchmark.fill(store, keys, value);
            run(store, keys, value, cpuClock, 1); // warm-up, not printed
            System.out.println("| round | 1 thread: CPU ns/op | 2 threads: CPU ns/op (each) | projected 2-thread speed-up |");
            System.out.println("|---:|---:|---:|---:|");
            for (int round = 1; round <= rounds; round++) {
                double[] alone = run(store, keys, value, cpuClock, 1);
                double[] pair = run(store, keys, value, cpuClock, 2);
                System.out.printf(Locale.ROOT, "| %d | %.0f | %.0f, %.0f | %.2f × |%n", round, alone[0], pair[0], pair[1],
                        alone[0] / ((pair[0] + pair[1]) / 2) * 2);
            }
        }
    }

    /** @return each thread's CPU time per operation, in nanoseconds */
    private static double[] run(Store store, FixedKeys keys, MemorySegment value, ThreadMXBean cpuClock, int threads)
            throws InterruptedException {
        double[] cpuPerOperation = new double[threads];
        CyclicBarrier start = new CyclicBarrier(threads);
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers[t] = new Thread(() -> {
                ValueCopier reader = new ValueCopier(StoreBenchmark.VALUE_LENGTH);
                ItemWrite write = new ItemWrite().value(value, 0, StoreBenchmark.VALUE_LENGTH);
                int next = id * (StoreBenchmark.ITEMS / 2);
                awaitQuietly(start);
                long cpu = cpuClock.getCurrentThreadCpuTime();
                for (int n = 1; n <= OPERATIONS; n++) {
                    next = (next + 1) & (StoreBenchmark.ITEMS - 1);
                    long keyOffset = keys.offset(next);
                    if (n % 10 == 0) {
                        store.set(write.key(keys.memory(), keyOffset, FixedKeys.LENGTH));
                    } else {
                        store.get(keys.memory(), keyOffset, FixedKeys.LENGTH, reader);
                    }
                }
                cpuPerOperation[id] = (cpuClock.getCurrentThreadCpuTime() - cpu) / (double) OPERATIONS;
            });
            workers[t].start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        return cpuPerOperation;
    }

    private static void awaitQuietly(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException("start barrier broken", e);
        }
    }
}
