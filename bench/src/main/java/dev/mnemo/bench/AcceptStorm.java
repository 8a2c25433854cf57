package dev.mnemo.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A connection storm against a memcached-compatible server (issue 16, bench/accept-storm.sh runs
 * it): while {@code connections} new connections are opened and each sends one {@code get} and
 * reads its reply, one established client sends {@code version} every millisecond and times each
 * round trip. Prints, per burst, the established client's round trip p50 / p99 / max in
 * milliseconds, how many storm connections were served and how long the burst took. The storm
 * connections stay open until the burst has been served, then are reset (SO_LINGER 0, so no
 * TIME_WAIT exhausts the ephemeral ports over several bursts) all together, and the established
 * client's longest round trip from then until a second later is printed too (close_max_ms: a
 * server that stalls while many connections close together). The storm runs at nice 19 and
 * the established client at the default, both on the load generator's core, so that the round
 * trips time the server rather than the load generator's scheduler.
 *
 * <p>JDK only, so it also runs as a single source file:
 * {@code java --enable-native-access=ALL-UNNAMED bench/src/main/java/dev/mnemo/bench/AcceptStorm.java <port> [connections] [bursts] [window] [warmup]}.
 * {@code window} bounds the connections being opened but not yet answered (default 1,000: the
 * server's listen backlog is 1,024, as memcached's -b). {@code warmup} bursts (default 0) run
 * first, printed as w1, w2, ...: a JVM server compiles its accept, first-request and close paths
 * during its first storms, which they show apart from the bursts after. {@code pid} (default
 * none): the server's process id on this Linux host; each burst then also prints the server's
 * CPU seconds during it and the close and second after it (from {@code /proc/PID/task/TID/stat}, clock ticks of 1/100 s), split by thread:
 * the event loops, the JIT compilers and the garbage collector (a JVM's VM Thread and GC
 * threads); a server that is not a JVM counts all its threads as loops.
 */
public final class AcceptStorm {

    private static final byte[] GET = "get accept-storm-key\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VERSION = "version\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final long PROBE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long BURST_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(120);

    private AcceptStorm() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: AcceptStorm <port> [connections=10000] [bursts=3] [window=1000] [warmup=0]");
            System.exit(2);
        }
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0]));
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int bursts = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int window = args.length > 3 ? Integer.parseInt(args[3]) : 1_000;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        long pid = args.length > 5 ? Long.parseLong(args[5]) : 0;

        try (Probe probe = new Probe(server)) {
            System.out.printf("%-6s %9s %9s %9s %8s %9s %8s %12s%s%n",
                    "burst", "p50_ms", "p99_ms", "max_ms", "probes", "served", "secs", "close_max_ms",
                    pid == 0 ? "" : String.format(" %7s %7s %7s %7s", "cpu_s", "loops_s", "jit_s", "gc_s"));
            for (int burst = 1 - warmup; burst <= bursts; burst++) {
                double[] cpuBefore = serverCpuSeconds(pid);
                Thread probing = probe.start();
                long start = System.nanoTime();
                int[] served = new int[1];
                List<SocketChannel> open = new ArrayList<>(connections);
                Thread storming = Thread.ofPlatform().name("storm").start(() -> {
                    lowerThisThreadsPriority();
                    try {
                        served[0] = storm(server, connections, window, open);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                storming.join();
                double seconds = (System.nanoTime() - start) / 1e9;
                probe.stop();
                probing.join();
                double[] ms = probe.sortedMillis();
                // the close: the established client keeps timing while the burst's connections
                // are reset and for the second after (bursts are that far apart)
                probing = probe.start();
                for (SocketChannel channel : open) {
                    channel.close();
                }
                Thread.sleep(1000);
                probe.stop();
                probing.join();
                double[] closing = probe.sortedMillis();
                double[] cpuAfter = serverCpuSeconds(pid);
                System.out.printf("%-6s %9.3f %9.3f %9.3f %8d %9d %8.2f %12.3f%s%n", burst > 0 ? burst : "w" + (burst + warmup),
                        percentile(ms, 0.50), percentile(ms, 0.99), ms.length == 0 ? Double.NaN : ms[ms.length - 1],
                        ms.length, served[0], seconds, closing.length == 0 ? Double.NaN : closing[closing.length - 1],
                        pid == 0 ? "" : String.format(" %7.2f %7.2f %7.2f %7.2f",
                                cpuAfter[0] - cpuBefore[0], cpuAfter[1] - cpuBefore[1],
                                cpuAfter[2] - cpuBefore[2], cpuAfter[3] - cpuBefore[3]));
            }
        }
    }

    /**
     * Sets the calling thread's nice value to 19 (Linux: setpriority(PRIO_PROCESS, 0, 19) acts on
     * the calling thread only), so that the storm, which keeps the load generator's core busy,
     * does not delay the established client's thread on the same core: what the probe measures
     * is then the server's delay, not the load generator's.
     */
    private static void lowerThisThreadsPriority() {
        Linker linker = Linker.nativeLinker();
        MethodHandle setpriority = linker.downcallHandle(linker.defaultLookup().findOrThrow("setpriority"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        try {
            if ((int) setpriority.invokeExact(0, 0, 19) != 0) {
                System.err.println("accept-storm: setpriority failed; the probe shares its core with the storm at equal priority");
            }
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param pid the server's process id, or 0 for none
     * @return the CPU seconds (user + system) its live threads have used: all, event loops, JIT
     *         compilers, garbage collector; zeros for pid 0. A JVM's loops are its mnemo-worker
     *         threads; a process without such threads (memcached) counts every thread as a loop.
     */
    private static double[] serverCpuSeconds(long pid) throws IOException {
        double[] seconds = new double[4];
        if (pid == 0) {
            return seconds;
        }
        long[] ticks = new long[4];
        boolean jvm = false;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended meanwhile
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long used = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
                ticks[0] += used;
                if (name.startsWith("mnemo-worker")) {
                    jvm = true;
                    ticks[1] += used;
                } else if (name.contains("CompilerThre")) {
                    ticks[2] += used;
                } else if (name.startsWith("VM Thread") || name.startsWith("GC Thread")) {
                    ticks[3] += used;
                }
            }
        }
        if (!jvm) {
            ticks[1] = ticks[0];
        }
        for (int i = 0; i < 4; i++) {
            seconds[i] = ticks[i] / 100.0; // USER_HZ, 100 on Linux
        }
        return seconds;
    }

    private static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    /**
     * Opens {@code count} connections, at most {@code window} not yet answered at a time; each
     * sends one get and reads up to "END\r\n". The connections are left open, in {@code open},
     * for the caller to close once the probe has stopped (closing 10,000 is not the storm).
     *
     * @return how many connections got their reply
     */
    private static int storm(InetSocketAddress server, int count, int window, List<SocketChannel> open)
            throws IOException {
        int started = 0;
        int served = 0;
        int pending = 0;
        long deadline = System.nanoTime() + BURST_DEADLINE_NANOS;
        ByteBuffer readBuffer = ByteBuffer.allocate(256);
        try (Selector selector = Selector.open()) {
            while (served < count && System.nanoTime() < deadline) {
                while (started < count && pending < window) {
                    SocketChannel channel = SocketChannel.open();
                    channel.configureBlocking(false);
                    channel.setOption(StandardSocketOptions.SO_LINGER, 0);
                    open.add(channel);
                    started++;
                    pending++;
                    if (channel.connect(server)) {
                        channel.write(ByteBuffer.wrap(GET));
                        channel.register(selector, SelectionKey.OP_READ, new int[1]);
                    } else {
                        channel.register(selector, SelectionKey.OP_CONNECT, new int[1]);
                    }
                }
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel channel = (SocketChannel) key.channel();
                    try {
                        if (key.isConnectable()) {
                            channel.finishConnect();
                            channel.write(ByteBuffer.wrap(GET));
                            key.interestOps(SelectionKey.OP_READ);
                        } else if (key.isReadable()) {
                            readBuffer.clear();
                            int n = channel.read(readBuffer);
                            if (n < 0) {
                                key.cancel();
                                pending--;
                                continue;
                            }
                            int[] seen = (int[]) key.attachment(); // bytes of the reply read so far
                            seen[0] += n;
                            if (endsWithEnd(readBuffer, seen[0])) {
                                key.cancel();
                                pending--;
                                served++;
                            }
                        }
                    } catch (IOException e) {
                        key.cancel();
                        pending--;
                    }
                }
                selector.selectedKeys().clear();
            }
        }
        return served;
    }

    /** A miss is exactly "END\r\n"; a reply is complete when the bytes read end with it. */
    private static boolean endsWithEnd(ByteBuffer buffer, int total) {
        int end = buffer.position();
        return total >= 5 && end >= 5 && buffer.get(end - 5) == 'E' && buffer.get(end - 4) == 'N'
                && buffer.get(end - 3) == 'D' && buffer.get(end - 2) == '\r' && buffer.get(end - 1) == '\n';
    }

    /** The established client: one connection, a version round trip every millisecond, timed. */
    private static final class Probe implements Runnable, AutoCloseable {
        private final SocketChannel channel;
        private final ByteBuffer reply = ByteBuffer.allocate(256);
        private long[] nanos = new long[1 << 16];
        private int count;
        private volatile boolean stopped;

        Probe(InetSocketAddress server) throws IOException {
            channel = SocketChannel.open(server);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            for (int i = 0; i < 1000; i++) { // warm the path on both sides before any burst
                roundTrip();
            }
        }

        /** @return a started thread that times round trips, from none, until {@link #stop} */
        Thread start() {
            count = 0;
            stopped = false;
            return Thread.ofPlatform().name("probe").start(this);
        }

        void stop() {
            stopped = true;
        }

        @Override
        public void run() {
            try {
                while (!stopped) {
                    long took = roundTrip();
                    if (count == nanos.length) {
                        nanos = Arrays.copyOf(nanos, count * 2);
                    }
                    nanos[count++] = took;
                    LockSupport.parkNanos(PROBE_INTERVAL_NANOS);
                }
            } catch (IOException e) {
                throw new IllegalStateException("the established client's connection failed", e);
            }
        }

        private long roundTrip() throws IOException {
            long start = System.nanoTime();
            channel.write(ByteBuffer.wrap(VERSION));
            reply.clear();
            do {
                if (channel.read(reply) < 0) {
                    throw new IOException("server closed the established connection");
                }
            } while (reply.position() < 2 || reply.get(reply.position() - 1) != '\n');
            return System.nanoTime() - start;
        }

        double[] sortedMillis() {
            double[] ms = new double[count];
            for (int i = 0; i < count; i++) {
                ms[i] = nanos[i] / 1e6;
            }
            Arrays.sort(ms);
            return ms;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
