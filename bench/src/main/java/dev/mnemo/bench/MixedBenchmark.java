package dev.mnemo.bench;

import dev.mnemo.store.ItemWrite;
import dev.mnemo.store.Store;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
 * Throughput of a 90 % get / 10 % set mix on one shared store ({@value StoreBenchmark#ITEMS}
 * items, 10-byte keys, 100-byte values, 512 MiB), with one and with two threads, to show how
 * it scales without a global lock. Target (store issue): two threads ≥ 1.7 × one thread.
 * Each thread requests the keys in key order from its own start; the items lie scattered in
 * the store ({@link StoreBenchmark#fill}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MixedBenchmark {

    private Arena arena;
    private FixedKeys keys;
    private MemorySegment keyMemory;
    private MemorySegment value;
    private Store store;

    /** One thread's reader, write and position in the key walk. */
    @State(Scope.Thread)
    public static class Worker {
        ValueCopier reader;
        final ItemWrite write = new ItemWrite();
        int next;
        int untilSet;

        @Setup
        public void setUp() {
            reader = new ValueCopier(StoreBenchmark.VALUE_LENGTH);
            next = (int) (Thread.currentThread().threadId() * 0x61C88647) & (StoreBenchmark.ITEMS - 1);
            untilSet = 10;
        }
    }

    @Setup
    public void setUp() {
        arena = Arena.ofShared();
        keys = new FixedKeys(arena, StoreBenchmark.ITEMS);
        keyMemory = keys.memory();
        value = arena.allocate(StoreBenchmark.VALUE_LENGTH);
        value.fill((byte) 'v');
        store = StoreBenchmark.open(StoreBenchmark.MEMORY_LIMIT);
        StoreBenchmark.fill(store, keys, value);
    }

    @TearDown
    public void tearDown() {
        store.close();
        arena.close();
    }

    @Benchmark
    @Threads(1)
    public boolean oneThread(Worker worker) {
        return getOrSet(worker);
    }

    @Benchmark
    @Threads(2)
    public boolean twoThreads(Worker worker) {
        return getOrSet(worker);
    }

    /** Every tenth request of a thread is a set, the others gets. */
    private boolean getOrSet(Worker worker) {
        int i = worker.next = (worker.next + 1) & (StoreBenchmark.ITEMS - 1);
        long keyOffset = (long) i * FixedKeys.LENGTH;
        if (--worker.untilSet == 0) {
            worker.untilSet = 10;
            store.set(worker.write.key(keyMemory, keyOffset, FixedKeys.LENGTH).value(value, 0, StoreBenchmark.VALUE_LENGTH));
            return true;
        }
        return store.get(keyMemory, keyOffset, FixedKeys.LENGTH, worker.reader);
    }
}
