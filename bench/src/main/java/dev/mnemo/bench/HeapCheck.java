package dev.mnemo.bench;

import dev.mnemo.store.ItemWrite;
import dev.mnemo.store.Store;
import dev.mnemo.store.WriteResult;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Shows that the store keeps no Java object per item: fills a 2 GiB store with 10,000,000
 * items (10-byte keys, 8-byte values), then prints the top of
 * {@code jcmd <own pid> GC.class_histogram} (which runs a full GC first) and the heap in use.
 * Run it with a small heap (e.g. {@code -Xmx64m}) to make the point twice.
 *
 * <p>Usage: {@code java -Xmx64m --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar dev.mnemo.bench.HeapCheck [items]}
 */
public final class HeapCheck {

    private static final long MEMORY_LIMIT = 2048L << 20;
    private static final int VALUE_LENGTH = 8;
    private static final int HISTOGRAM_LINES = 15;

    private HeapCheck() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        int items = args.length > 0 ? Integer.parseInt(args[0]) : 10_000_000;
        try (Arena arena = Arena.ofConfined();
             Store store = StoreBenchmark.open(MEMORY_LIMIT)) {
            MemorySegment key = arena.allocate(FixedKeys.LENGTH);
            MemorySegment value = arena.allocate(VALUE_LENGTH);
            value.fill((byte) 'v');
            ItemWrite write = new ItemWrite().key(key, 0, FixedKeys.LENGTH).value(value, 0, VALUE_LENGTH);
            for (int i = 0; i < items; i++) {
                FixedKeys.write(key, 0, i);
                WriteResult status = store.set(write);
                if (status != WriteResult.STORED) {
                    throw new IllegalStateException("set " + i + " returned " + status);
                }
            }
            var stats = store.stats();
            System.out.printf(Locale.ROOT, "store: curr_items=%d evictions=%d bytes=%d limit_maxbytes=%d%n",
                    stats.currItems(), stats.evictions(), stats.bytes(), stats.limitMaxbytes());
            String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
            Process histogram = new ProcessBuilder(jcmd, Long.toString(ProcessHandle.current().pid()), "GC.class_histogram")
                    .redirectErrorStream(true).start();
            List<String> lines = histogram.inputReader().lines().toList();
            if (histogram.waitFor() != 0) {
                throw new IllegalStateException("jcmd failed: " + String.join("\n", lines));
            }
            System.out.println("jcmd " + ProcessHandle.current().pid() + " GC.class_histogram (top " + HISTOGRAM_LINES + "):");
            lines.stream().limit(HISTOGRAM_LINES + 3L).forEach(System.out::println);
            lines.stream().filter(l -> l.startsWith("Total")).forEach(System.out::println);
            Runtime runtime = Runtime.getRuntime();
            System.out.printf(Locale.ROOT, "heap used after the histogram's full GC: %.1f MiB (max heap %.0f MiB); "
                    + "store still holds %d items%n", (runtime.totalMemory() - runtime.freeMemory()) / (double) (1 << 20),
                    runtime.maxMemory() / (double) (1 << 20), store.stats().currItems());
        }
    }
}
