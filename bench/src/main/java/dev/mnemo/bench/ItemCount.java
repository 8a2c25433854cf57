package dev.mnemo.bench;

import dev.mnemo.store.ItemWrite;
import dev.mnemo.store.Store;
import dev.mnemo.store.WriteResult;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How many items with 10-byte keys and 100-byte values a 64 MiB cache holds before its first
 * eviction: a Mnemo {@link Store} of 64 MiB against memcached 1.6 started with
 * {@code -m 64 -U 0} on a free loopback port ({@code -u} the current user, which memcached
 * demands when run as root), filled over one socket with pipelined {@code noreply} sets, each
 * batch of {@value #BATCH} followed by a "stats" request. Prints both counts, per-item bytes
 * (64 MiB / count) and the ratio (target ≥ 1.3).
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.mnemo.bench.ItemCount [memcached-binary]}
 * (default {@code memcached} from the PATH).
 */
public final class ItemCount {

    private static final long MEMORY_LIMIT = 64L << 20;
    private static final int VALUE_LENGTH = 100;
    /** Sets sent to memcached between two "stats" requests: the resolution of its count. */
    private static final int BATCH = 100;
    /** Upper bound on keys tried, far above what 64 MiB can hold. */
    private static final int MAX_KEYS = 10_000_000;

    private ItemCount() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        String memcached = args.length > 0 ? args[0] : "memcached";
        long mnemo = fillStore();
        long reference = fillMemcached(memcached);
        System.out.printf(Locale.ROOT, "| cache (64 MiB, 10-byte keys, 100-byte values) | items before first eviction "
                + "| bytes per item (64 MiB / items) |%n|---|---:|---:|%n");
        System.out.printf(Locale.ROOT, "| Mnemo | %d | %.1f |%n", mnemo, (double) MEMORY_LIMIT / mnemo);
        System.out.printf(Locale.ROOT, "| memcached | %d | %.1f |%n", reference, (double) MEMORY_LIMIT / reference);
        System.out.printf(Locale.ROOT, "%nMnemo / memcached = %.3f (target >= 1.3)%n", (double) mnemo / reference);
    }

    /** @return curr_items of a 64 MiB store just before the set that caused its first eviction */
    static long fillStore() {
        try (Arena arena = Arena.ofConfined();
             Store store = StoreBenchmark.open(MEMORY_LIMIT)) {
            MemorySegment key = arena.allocate(FixedKeys.LENGTH);
            MemorySegment value = arena.allocate(VALUE_LENGTH);
            value.fill((byte) 'v');
            ItemWrite write = new ItemWrite().key(key, 0, FixedKeys.LENGTH).value(value, 0, VALUE_LENGTH);
            long before = 0;
            for (int i = 0; i < MAX_KEYS; i++) {
                FixedKeys.write(key, 0, i);
                WriteResult status = store.set(write);
                var stats = store.stats();
                if (stats.evictions() > 0) {
                    System.out.printf(Locale.ROOT, "Mnemo at its first eviction: curr_items=%d bytes=%d hash_bytes=%d "
                            + "segment_size=%d segments_total=%d segments_used=%d%n", stats.currItems(), stats.bytes(),
                            stats.hashBytes(), stats.segmentSize(), stats.segmentsTotal(), stats.segmentsUsed());
                    return before;
                }
                if (status != WriteResult.STORED) {
                    throw new IllegalStateException("set " + i + " returned " + status + " before any eviction: " + stats);
                }
                before = stats.currItems();
            }
            throw new IllegalStateException("no eviction after " + MAX_KEYS + " sets");
        }
    }

    /**
     * @return memcached's curr_items at the last "stats" before the batch of sets in which
     *         evictions became non-zero (so exact to within {@value #BATCH} items, from below)
     */
    static long fillMemcached(String binary) throws IOException, InterruptedException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Process server = new ProcessBuilder(binary, "-m", "64", "-p", Integer.toString(port), "-U", "0",
                "-l", "127.0.0.1", "-u", System.getProperty("user.name")).inheritIO().start();
        try (Socket socket = connect(port, server)) {
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            byte[] value = "v".repeat(VALUE_LENGTH).getBytes(StandardCharsets.US_ASCII);
            byte[] statsCommand = "stats\r\n".getBytes(StandardCharsets.US_ASCII);
            byte[] batch = new byte[BATCH * 160 + statsCommand.length];
            long before = 0;
            for (int first = 0; first < MAX_KEYS; first += BATCH) {
                int length = 0;
                for (int i = first; i < first + BATCH; i++) {
                    String command = String.format(Locale.ROOT, "set k%09d 0 0 %d noreply\r\n", i, VALUE_LENGTH);
                    byte[] line = command.getBytes(StandardCharsets.US_ASCII);
                    System.arraycopy(line, 0, batch, length, line.length);
                    length += line.length;
                    System.arraycopy(value, 0, batch, length, value.length);
                    length += value.length;
                    batch[length++] = '\r';
                    batch[length++] = '\n';
                }
                System.arraycopy(statsCommand, 0, batch, length, statsCommand.length);
                length += statsCommand.length;
                out.write(batch, 0, length);
                Map<String, String> stats = readStats(in);
                if (Long.parseLong(stats.get("evictions")) > 0) {
                    return before;
                }
                before = Long.parseLong(stats.get("curr_items"));
            }
            throw new IllegalStateException("memcached evicted nothing after " + MAX_KEYS + " sets");
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    private static Socket connect(int port, Process server) throws IOException, InterruptedException {
        for (int attempt = 0; attempt < 100; attempt++) {
            if (!server.isAlive()) {
                throw new IOException("memcached exited with status " + server.exitValue());
            }
            try {
                return new Socket(InetAddress.getLoopbackAddress(), port);
            } catch (ConnectException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IOException("memcached did not accept connections on port " + port + " within 5 s");
    }

    private static Map<String, String> readStats(InputStream in) throws IOException {
        Map<String, String> stats = new HashMap<>();
        for (String line = readLine(in); !line.equals("END"); line = readLine(in)) {
            String[] fields = line.split(" ");
            if (fields.length != 3 || !fields[0].equals("STAT")) {
                throw new IOException("unexpected reply to stats: " + line);
            }
            stats.put(fields[1], fields[2]);
        }
        return stats;
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("memcached closed the connection");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }
}
