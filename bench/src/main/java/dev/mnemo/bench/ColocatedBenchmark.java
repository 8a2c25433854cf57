package dev.mnemo.bench;

import dev.mnemo.store.ItemWrite;
import dev.mnemo.store.Store;
import dev.mnemo.store.WriteResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Co-located access (issue 7): get of a present item and set of an existing key, 10-byte keys and
 * {@value StoreBenchmark#VALUE_LENGTH}-byte values, through a {@link Store#attach attached} store
 * — the same memory a running server serves. {@code -p file=/dev/shm/x.mem} attaches to the memory
 * file of a server started with {@code -e /dev/shm/x.mem}; with no file the benchmark opens its
 * own file-backed store in a temporary file under /dev/shm (or the temp directory).
 *
 * <p>Sample time mode, so JMH prints percentiles: the targets are p50 ≤ 0.5 µs for get and
 * ≤ 1 µs for set. Run it as throughput ({@code -bm thrpt}) in two processes at once to measure
 * scaling. The items ({@code items} keys, default 2^16) are set in setup.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ColocatedBenchmark {

    /** The server's memory file to attach to; empty: open a private file-backed store. */
    @Param("")
    public String file;

    /** Number of keys, a power of two. */
    @Param("65536")
    public int items;

    private Arena arena;
    private Path ownFile;
    private Store store;
    private MemorySegment keyMemory;
    private MemorySegment value;
    private ValueCopier reader;
    private final ItemWrite write = new ItemWrite();
    private int mask;
    private int next;

    @Setup
    public void setUp() throws IOException {
        arena = Arena.ofShared();
        if (file.isEmpty()) {
            Path shm = Path.of("/dev/shm");
            ownFile = Files.createTempFile(Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir")),
                    "mnemo-bench-", ".mem");
            Files.delete(ownFile);
            store = Store.builder().memoryLimit(64L << 20).memoryFile(ownFile).sweepExpiredInBackground(false).open();
        } else {
            store = Store.attach(Path.of(file));
        }
        FixedKeys keys = new FixedKeys(arena, items);
        keyMemory = keys.memory();
        value = arena.allocate(StoreBenchmark.VALUE_LENGTH);
        value.fill((byte) 'v');
        reader = new ValueCopier(StoreBenchmark.VALUE_LENGTH);
        write.value(value, 0, StoreBenchmark.VALUE_LENGTH);
        mask = items - 1;
        StoreBenchmark.fill(store, keys, value);
    }

    @TearDown
    public void tearDown() {
        store.close();
        arena.close();
        if (ownFile != null) {
            try {
                Files.deleteIfExists(ownFile);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Benchmark
    public boolean getHit() {
        int i = next = (next + 1) & mask;
        return store.get(keyMemory, (long) i * FixedKeys.LENGTH, FixedKeys.LENGTH, reader);
    }

    @Benchmark
    public WriteResult set() {
        int i = next = (next + 1) & mask;
        return store.set(write.key(keyMemory, (long) i * FixedKeys.LENGTH, FixedKeys.LENGTH));
    }
}
