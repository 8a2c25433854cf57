package dev.mnemo.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The control for {@link MixedBenchmark}: a scattered walk over a shared 512 MiB off-heap
 * region, two dependent 8-byte loads per operation (like an index bucket then an item), with
 * no store, no writes and no synchronisation, so nothing in it can stop two threads
 * from doing twice the work of one. Run next to {@code MixedBenchmark}, its 2-thread / 1-thread
 * ratio is what the machine allows at that moment; the store's ratio is to be read against it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ScalingControlBenchmark {

    private static final long REGION_BYTES = StoreBenchmark.MEMORY_LIMIT;
    private static final long LINE_MASK = (REGION_BYTES - 1) & ~63L;

    private Arena arena;
    private MemorySegment region;

    /** One thread's position in the walk. */
    @State(Scope.Thread)
    public static class Walker {
        long next;

        @Setup
        public void setUp() {
            next = Thread.currentThread().threadId() * 0x61C88647L * 64;
        }
    }

    @Setup
    public void setUp() {
        arena = Arena.ofShared();
        region = arena.allocate(REGION_BYTES, 64);
        for (long offset = 0; offset < REGION_BYTES; offset += 64) {
            region.set(ValueLayout.JAVA_LONG, offset, (offset * 0x9E3779B97F4A7C15L) & LINE_MASK);
        }
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    @Threads(1)
    public long oneThread(Walker walker) {
        return twoLoads(walker);
    }

    @Benchmark
    @Threads(2)
    public long twoThreads(Walker walker) {
        return twoLoads(walker);
    }

    private long twoLoads(Walker walker) {
        long first = walker.next = (walker.next + (long) StoreBenchmark.STRIDE * 64) & LINE_MASK;
        long second = region.get(ValueLayout.JAVA_LONG, first);
        return region.get(ValueLayout.JAVA_LONG, second);
    }
}
