package dev.mnemo.bench;

import dev.mnemo.store.MetaItem;
import dev.mnemo.store.Store;
import dev.mnemo.store.StoreConfig;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single-thread latency of the meta protocol's read, {@code Store.metaGet} of a present item
 * (which takes the key's bucket locks, to apply T, N and R and hand out win tokens atomically),
 * beside the lock-free {@code get}, both copying the value into a preallocated array, over the
 * items, keys and order of {@link StoreBenchmark}. Both should be ≈ 0 B/op under {@code -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MetaGetBenchmark {

    /** Number of items, a power of two (see {@link StoreBenchmark#items}). */
    @Param("1048576")
    public int items;

    private Arena arena;
    private MemorySegment keyMemory;
    private Store store;
    private ValueCopier reader;
    private final MetaItem meta = new MetaItem();
    private int mask;
    private int next;

    @Setup
    public void setUp() {
        arena = Arena.ofShared();
        mask = items - 1;
        FixedKeys keys = new FixedKeys(arena, items);
        keyMemory = keys.memory();
        MemorySegment value = arena.allocate(StoreBenchmark.VALUE_LENGTH);
        value.fill((byte) 'v');
        store = Store.open(StoreConfig.defaults().withMemoryLimit(StoreBenchmark.MEMORY_LIMIT));
        reader = new ValueCopier(StoreBenchmark.VALUE_LENGTH);
        StoreBenchmark.fill(store, keys, value);
    }

    @TearDown
    public void tearDown() {
        store.close();
        arena.close();
    }

    @Benchmark
    public boolean getHit() {
        int i = next = (next + 1) & mask;
        return store.get(keyMemory, (long) i * FixedKeys.LENGTH, FixedKeys.LENGTH, reader);
    }

    @Benchmark
    public boolean metaGetHit() {
        int i = next = (next + 1) & mask;
        return store.metaGet(keyMemory, (long) i * FixedKeys.LENGTH, FixedKeys.LENGTH, meta.reset(), reader);
    }
}
