package dev.mnemo.bench;

import dev.mnemo.store.EvictionListener;
import dev.mnemo.store.ItemWrite;
import dev.mnemo.store.Store;
import dev.mnemo.store.WriteResult;
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
 * What an {@link EvictionListener} costs a set that evicts: sets of 2^20 distinct keys with
 * 100-byte values into a 16 MiB store (about 100,000 items fit, so nearly every set evicts one
 * item, by whole segments), with no listener, and with one that does what the server's
 * {@code WatchLog} does while no "watch evictions" is attached (one volatile read, return).
 * One thread, ns per set.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class EvictionListenerBenchmark {

    /** "none": no listener; "unwatched": a listener that reads one volatile field and returns. */
    @Param({"none", "unwatched"})
    public String listener;

    private static final int KEYS = 1 << 20;
    private static final long MEMORY_LIMIT = 16L << 20;

    private volatile int watchedStreams;
    private Arena arena;
    private FixedKeys keys;
    private MemorySegment keyMemory;
    private Store store;
    private final ItemWrite write = new ItemWrite();
    private int next;

    @Setup
    public void setUp() {
        arena = Arena.ofShared();
        keys = new FixedKeys(arena, KEYS);
        keyMemory = keys.memory();
        MemorySegment value = arena.allocate(StoreBenchmark.VALUE_LENGTH);
        value.fill((byte) 'v');
        write.value(value, 0, StoreBenchmark.VALUE_LENGTH);
        store = StoreBenchmark.open(MEMORY_LIMIT);
        if (listener.equals("unwatched")) {
            store.setEvictionListener((memory, keyOffset, keyLength, valueLength, fetched, ttl, idle) -> {
                if (watchedStreams != 0) {
                    throw new IllegalStateException("no watcher in this benchmark");
                }
            });
        }
    }

    @TearDown
    public void tearDown() {
        if (store.stats().evictions() < KEYS) {
            throw new IllegalStateException("sets did not evict: " + store.stats().evictions() + " evictions");
        }
        store.close();
        arena.close();
    }

    @Benchmark
    public WriteResult setEvicting() {
        int i = next = (next + StoreBenchmark.STRIDE) & (KEYS - 1);
        return store.set(write.key(keyMemory, (long) i * FixedKeys.LENGTH, FixedKeys.LENGTH));
    }
}
