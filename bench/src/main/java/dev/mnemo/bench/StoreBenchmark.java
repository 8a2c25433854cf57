package dev.mnemo.bench;

import dev.mnemo.store.ItemWrite;
import dev.mnemo.store.MetaItem;
import dev.mnemo.store.MetaOperations;
import dev.mnemo.store.Store;
import dev.mnemo.store.WriteResult;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single-thread latency of the store's hot paths: {@code get} of a present item (copying the
 * value into a preallocated array), the meta protocol's {@code metaGet} of it (which takes the
 * key's bucket locks, to apply T, N and R and hand out win tokens atomically) and {@code set}
 * of an existing key, over
 * {@code items} (default 2^20) items with 10-byte keys and {@value #VALUE_LENGTH}-byte values in a
 * 512 MiB store. Keys are prebuilt off-heap and requested in key order, so the key itself is
 * in the CPU cache (as a key just read from a socket is); the items were stored in a scattered
 * order ({@link #fill}) and keys hash to scattered buckets, so index and item accesses are not.
 * Targets (store issue): get ≤ 150 ns/op, set ≤ 300 ns/op, all three ≈ 0 B/op under {@code -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class StoreBenchmark {

    /** Number of items of the mixed benchmark, 2^20 (a power of two, so a stride walk visits every key). */
    static final int ITEMS = 1 << 20;
    /** Value length in bytes. */
    static final int VALUE_LENGTH = 100;
    /** Memory limit of the store, in bytes. */
    static final long MEMORY_LIMIT = 512L << 20;
    /** An odd stride, so {@code (i + STRIDE) mod 2^k} visits all 2^k keys in a scattered order. */
    static final int STRIDE = 0x9E3779B1 | 1;

    /**
     * Number of items, a power of two. The target figures are for 2^20; a smaller count
     * ({@code -p items=4096}) keeps the store in the CPU caches and so shows the code's cost
     * apart from memory latency.
     */
    @Param("1048576")
    public int items;


    private Arena arena;
    private FixedKeys keys;
    private MemorySegment keyMemory;
    private MemorySegment value;
    private Store store;
    private ValueCopier reader;
    private final MetaItem meta = new MetaItem();
    private final ItemWrite write = new ItemWrite();
    private MetaOperations metaOperations;
    private int mask;
    private int next;

    @Setup
    public void setUp() {
        arena = Arena.ofShared();
        mask = items - 1;
        keys = new FixedKeys(arena, items);
        keyMemory = keys.memory();
        value = arena.allocate(VALUE_LENGTH);
        value.fill((byte) 'v');
        store = open(MEMORY_LIMIT);
        metaOperations = store.meta();
        write.value(value, 0, VALUE_LENGTH);
        reader = new ValueCopier(VALUE_LENGTH);
        fill(store, keys, value);
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
        return metaOperations.get(keyMemory, (long) i * FixedKeys.LENGTH, FixedKeys.LENGTH, meta.reset(), reader);
    }

    @Benchmark
    public WriteResult set() {
        int i = next = (next + 1) & mask;
        return store.set(write.key(keyMemory, (long) i * FixedKeys.LENGTH, FixedKeys.LENGTH));
    }

    /**
     * @param memoryLimit in bytes
     * @return a store in anonymous memory with no background sweeper, as the benchmarks measured before it existed
     */
    static Store open(long memoryLimit) {
        return Store.builder().memoryLimit(memoryLimit).sweepExpiredInBackground(false).open();
    }

    /**
     * Sets every key in a scattered order (so that items of consecutive keys lie far apart in
     * the store), then checks that every one is a hit with the right value, so that a get
     * benchmark measures hits only.
     *
     * @throws IllegalArgumentException if the key count is not a power of two
     * @throws IllegalStateException    if a set fails or an item is missing (memory limit too small)
     */
    static void fill(Store store, FixedKeys keys, MemorySegment value) {
        int count = keys.count();
        if (Integer.bitCount(count) != 1) {
            throw new IllegalArgumentException("key count must be a power of two, was " + count);
        }
        int valueLength = (int) value.byteSize();
        ItemWrite w = new ItemWrite().value(value, 0, valueLength);
        for (int n = 0, i = 0; n < count; n++) {
            i = (i + STRIDE) & (count - 1);
            WriteResult status = store.set(w.key(keys.memory(), keys.offset(i), FixedKeys.LENGTH));
            if (status != WriteResult.STORED) {
                throw new IllegalStateException("set of key " + i + " returned " + status);
            }
        }
        ValueCopier check = new ValueCopier(valueLength);
        for (int i = 0; i < keys.count(); i++) {
            if (!store.get(keys.memory(), keys.offset(i), FixedKeys.LENGTH, check) || check.length() != valueLength
                    || check.byteAt(valueLength - 1) != value.get(ValueLayout.JAVA_BYTE, valueLength - 1)) {
                throw new IllegalStateException("key " + i + " missing or wrong after the fill: "
                        + store.stats());
            }
        }
    }
}
