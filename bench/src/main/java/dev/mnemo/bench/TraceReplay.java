package dev.mnemo.bench;

import dev.mnemo.store.Clock;
import dev.mnemo.store.ItemReader;
import dev.mnemo.store.ItemWrite;
import dev.mnemo.store.Store;
import dev.mnemo.store.WriteResult;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Replays real access traces through a {@link Store} used as a look-aside cache (get; on a miss,
 * set) at several memory limits, next to the exact-LRU reference ({@link LruCache}) given the
 * same byte budget over key + value bytes only, and prints a markdown table of miss ratios and
 * of the items each holds at the end; the miss ratio of the same LRU charged
 * {@value #ALLOWED_OVERHEAD} bytes per item besides key and value (the store issue's bound on
 * per-item overhead: an LRU cache built within it); and, to show the eviction policy apart from
 * per-item overhead, the miss ratios of an LRU and of Belady's OPT ({@link Belady}) bounded to
 * the number of items the store held at the end (OPT: the fewest misses any policy could have
 * with that many items, knowing the future).
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.mnemo.bench.TraceReplay [traces-dir] [name-filter…]}
 * (traces-dir defaults to {@code ../shared/traces}, relative to the working directory: run it from
 * the repository root). A filter keeps only traces whose file name contains it.
 *
 * <p>Memory limits are 5, 10, 20, 40 and 60 % of the trace's footprint (sum over distinct keys
 * of key + value bytes), raised to the smallest limit the store accepts where they fall
 * below it. Key-only traces get {@value #VALUE_SIZE}-byte values. The store's max item size is
 * the smallest that holds the trace's largest value (at least 1 KiB, at most the default 1 MiB,
 * to which sized traces' values are capped), since the store sizes its segments from it. Keys
 * are the decimal text of the trace's integers. Time stands still (a clock fixed at
 * {@value #START_SECONDS}), and nothing expires.
 */
public final class TraceReplay {

    /** The value size given to every key of a key-only trace, in bytes. */
    static final int VALUE_SIZE = 100;

    /** The per-item overhead, in bytes, the store issue allows: what the charged LRU pays per item. */
    static final int ALLOWED_OVERHEAD = 32;

    private static final int[] PERCENTS = {5, 10, 20, 40, 60};
    /** The smallest max item size the store accepts, in bytes. */
    private static final int MIN_MAX_ITEM_SIZE = 1024;
    private static final long START_SECONDS = 1_700_000_000L;
    /** The replays' clock: time stands still. */
    private static final Clock STILL = () -> START_SECONDS;
    /** The default max item size, in bytes: sized traces' values are capped to it. */
    private static final int DEFAULT_MAX_ITEM_SIZE = 1 << 20;
    private static final ItemReader IGNORE_VALUE = item -> { };

    private TraceReplay() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "../shared/traces");
        List<String> filters = args.length > 1 ? List.of(args).subList(1, args.length) : List.of();
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.filter(TraceFile::isTrace)
                    .filter(f -> filters.isEmpty() || filters.stream().anyMatch(s -> f.getFileName().toString().contains(s)))
                    .sorted()
                    .toList();
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no traces in " + dir.toAbsolutePath());
        }
        List<String> notes = new ArrayList<>();
        System.out.printf(Locale.ROOT, "Key-only traces: %d-byte values. Mnemo vs LRU: relative difference of the miss "
                + "ratios (negative: Mnemo misses less).%n%n", VALUE_SIZE);
        System.out.println("| trace | events | distinct keys | footprint MiB | memory MiB | % of footprint "
                + "| Mnemo miss ratio | LRU miss ratio | Mnemo vs LRU | Mnemo items held | LRU items held "
                + "| LRU charged " + ALLOWED_OVERHEAD + " B/item: miss ratio | Mnemo vs it "
                + "| LRU of Mnemo's item count: miss ratio | Mnemo vs it | OPT of Mnemo's item count: miss ratio |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment keyBuffer = arena.allocate(20);
            MemorySegment value = arena.allocate(DEFAULT_MAX_ITEM_SIZE);
            value.fill((byte) 'v');
            for (Path file : files) {
                Trace trace = TraceFile.read(file, VALUE_SIZE, DEFAULT_MAX_ITEM_SIZE);
                int maxItemSize = Math.max(MIN_MAX_ITEM_SIZE, largest(trace.valueSizes()));
                long minimum = minimumMemoryLimit(maxItemSize);
                long footprint = trace.footprint();
                int distinct = trace.distinctKeys();
                notes.add(String.format(Locale.ROOT, "%s: max item size %d bytes; smallest memory limit the store "
                        + "accepts %d bytes (%.2f MiB, %.1f%% of the footprint)", trace.name(), maxItemSize,
                        minimum, mib(minimum), 100.0 * minimum / footprint));
                long previous = -1;
                for (int percent : PERCENTS) {
                    long wanted = footprint * percent / 100;
                    long limit = Math.max(minimum, wanted);
                    if (limit == previous) {
                        continue;
                    }
                    previous = limit;
                    Result mnemo = replayStore(trace, maxItemSize, limit, keyBuffer, value);
                    Result lru = replayLru(trace, limit, 0);
                    Result charged = replayLru(trace, limit, ALLOWED_OVERHEAD);
                    Result sameCount = replayLruOfCount(trace, Math.max(1, mnemo.itemsHeld()));
                    Result optimal = Belady.replay(trace, Math.max(1, mnemo.itemsHeld()));
                    System.out.printf(Locale.ROOT, "| %s | %d | %d | %.2f | %.2f | %.1f%s | %.4f | %.4f | %+.1f%% | %d | %d "
                                    + "| %.4f | %+.1f%% | %.4f | %+.1f%% | %.4f |%n",
                            trace.name(), trace.events(), distinct, mib(footprint), mib(limit),
                            100.0 * limit / footprint, limit > wanted ? " (store minimum)" : "",
                            mnemo.missRatio(), lru.missRatio(),
                            100.0 * (mnemo.missRatio() - lru.missRatio()) / lru.missRatio(),
                            mnemo.itemsHeld(), lru.itemsHeld(), charged.missRatio(),
                            100.0 * (mnemo.missRatio() - charged.missRatio()) / charged.missRatio(), sameCount.missRatio(),
                            100.0 * (mnemo.missRatio() - sameCount.missRatio()) / sameCount.missRatio(),
                            optimal.missRatio());
                }
            }
        }
        System.out.println();
        notes.forEach(System.out::println);
    }

    private static int largest(int[] values) {
        int max = 0;
        for (int v : values) {
            max = Math.max(max, v);
        }
        return max;
    }

    /**
     * The outcome of one replay.
     *
     * @param missRatio misses / requests, compulsory misses included
     * @param itemsHeld items in the cache at the end of the trace
     */
    record Result(double missRatio, long itemsHeld) {
    }

    /**
     * @param maxItemSize the store's max item size, in bytes
     * @param memoryLimit the store's memory limit, in bytes
     * @return the store as a look-aside cache over the trace
     */
    static Result replayStore(Trace trace, int maxItemSize, long memoryLimit, MemorySegment keyBuffer,
                              MemorySegment value) {
        long misses = 0;
        long itemsHeld;
        Map<WriteResult, Long> failures = new EnumMap<>(WriteResult.class);
        ItemWrite write = new ItemWrite().key(keyBuffer, 0, 0);
        try (Store store = open(maxItemSize, memoryLimit)) {
            long[] keys = trace.keys();
            int[] sizes = trace.valueSizes();
            for (int i = 0; i < keys.length; i++) {
                int keyLength = writeDecimal(keyBuffer, keys[i]);
                if (!store.get(keyBuffer, 0, keyLength, IGNORE_VALUE)) {
                    misses++;
                    WriteResult status = store.set(write.key(keyBuffer, 0, keyLength).value(value, 0, sizes[i]));
                    if (status != WriteResult.STORED) {
                        failures.merge(status, 1L, Long::sum);
                    }
                }
            }
            itemsHeld = store.stats().currItems();
        }
        if (!failures.isEmpty()) {
            System.err.printf(Locale.ROOT, "%s at %d bytes: sets not stored: %s%n",
                    trace.name(), memoryLimit, failures);
        }
        return new Result((double) misses / trace.events(), itemsHeld);
    }

    /**
     * @param overhead bytes charged per item besides its key and value
     * @return an exact LRU of {@code capacity} bytes over the trace, each item charged key + value + overhead bytes
     */
    static Result replayLru(Trace trace, long capacity, int overhead) {
        LruCache lru = new LruCache(capacity);
        long misses = 0;
        long[] keys = trace.keys();
        int[] sizes = trace.valueSizes();
        for (int i = 0; i < keys.length; i++) {
            if (!lru.request(keys[i], decimalLength(keys[i]) + sizes[i] + overhead)) {
                misses++;
            }
        }
        return new Result((double) misses / trace.events(), lru.size());
    }

    /**
     * @return an exact LRU bounded by item count, not bytes, over the trace: given the number of
     *         items the store held, it shows the eviction policy apart from per-item overhead
     */
    static Result replayLruOfCount(Trace trace, long items) {
        LruCache lru = new LruCache(items);
        long misses = 0;
        for (long key : trace.keys()) {
            if (!lru.request(key, 1)) {
                misses++;
            }
        }
        return new Result((double) misses / trace.events(), lru.size());
    }

    /** @return the smallest memory limit, in bytes, the store accepts with this max item size (bytes) */
    static long minimumMemoryLimit(int maxItemSize) {
        long low = 0;                 // refused (or not tried)
        long high = 1L << 30;         // accepted
        if (!opens(maxItemSize, high)) {
            throw new IllegalStateException("the store does not open even with 1 GiB");
        }
        while (high - low > 1) {
            long mid = (low + high) >>> 1;
            if (opens(maxItemSize, mid)) {
                high = mid;
            } else {
                low = mid;
            }
        }
        return high;
    }

    private static Store open(int maxItemSize, long memoryLimit) {
        return Store.builder().maxItemSize(maxItemSize).memoryLimit(memoryLimit).clock(STILL)
                .sweepExpiredInBackground(false).open();
    }

    private static boolean opens(int maxItemSize, long memoryLimit) {
        try (Store ignored = open(maxItemSize, memoryLimit)) {
            return true;
        } catch (IllegalArgumentException tooSmall) {
            return false;
        }
    }

    /** Writes {@code key} as decimal text at offset 0. @return its length in bytes */
    static int writeDecimal(MemorySegment target, long key) {
        int length = decimalLength(key);
        long rest = key;
        for (int i = length - 1; i >= 0; i--) {
            target.set(ValueLayout.JAVA_BYTE, i, (byte) ('0' + Math.abs(rest % 10)));
            rest /= 10;
        }
        if (key < 0) {
            target.set(ValueLayout.JAVA_BYTE, 0, (byte) '-');
        }
        return length;
    }

    /** @return the length of {@code key}'s decimal text, in bytes */
    static int decimalLength(long key) {
        int length = key < 0 ? 2 : 1;
        for (long rest = key / 10; rest != 0; rest /= 10) {
            length++;
        }
        return length;
    }

    private static double mib(long bytes) {
        return bytes / (double) (1 << 20);
    }
}
