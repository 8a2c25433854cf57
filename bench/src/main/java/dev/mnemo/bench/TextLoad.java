package dev.mnemo.bench;

import org.HdrHistogram.Histogram;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A memcached text-protocol load generator over plain TCP or TLS (the JDK's SSLSocket), standing
 * in for memtier_benchmark, which Debian does not package; used by bench/cost-per-op.sh and
 * bench/tls-compare.sh. Each connection runs on its own platform thread, closed loop: it sends
 * {@code pipeline} requests, reads their replies, and records the round trip of that batch, until
 * the time is up. A batch that stalls delays the next one, so the percentiles are of the batches
 * sent, not of a fixed request rate (as memtier's).
 *
 * <p>Workloads, after memtier's: {@code get90} (1 set for 9 gets, 32-byte values, memtier's
 * default size), {@code set1k} (sets only, 1024-byte values), {@code setlarge} (sets only,
 * values of 10 B to 100 KB, uniformly at random, the command line, the value and its "\r\n"
 * sent in three writes, as bench/footprint.sh's set client sends them) and {@code mget10} (gets
 * only, each of 10 keys at random, as memtier's {@code --multi-key-get}); keys
 * {@code key:0} to {@code key:9999}, all set before the timed run so gets hit.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.mnemo.bench.TextLoad [--tls] [--connections=4]
 * [--pipeline=1] <host> <port> <get90|set1k|setlarge|mget10> <seconds>}. Prints {@code loaded} once
 * the keys are set and the timed run starts, then {@code ops/s: <n>} and {@code latency_us:
 * p50=<µs> p99=<µs> p99.9=<µs> max=<µs> batches=<n>} (round trip of one batch of
 * {@code pipeline} requests, in microseconds). The TLS client trusts any server certificate: a benchmark, never a client to copy.
 */
public final class TextLoad {

    static final String USAGE =
            "usage: TextLoad [--tls] [--connections=4] [--pipeline=1] <host> <port> <get90|set1k|setlarge|mget10> <seconds>";
    static final int KEYS = 10_000;
    private static final int PRELOAD_BATCH = 100;

    private TextLoad() {
    }

    /**
     * get90: 1 set for 9 gets of 32-byte values; set1k: sets of 1024-byte values; setlarge: sets
     * of 10 B-100 KB; mget10: gets of 10 keys each (memtier's multi-key get), 32-byte values.
     */
    enum Workload {
        GET90(32, 32, 9, 1, false), SET1K(1024, 1024, 0, 1, false), SETLARGE(10, 100_000, 0, 1, true),
        MGET10(32, 32, 10, 10, false);

        /** The smallest and largest value, in bytes; each set draws its size uniformly between them. */
        final int minValueSize;
        final int maxValueSize;
        /** Of every 10 requests, how many are gets (at random); the rest are sets. */
        final int getsInTen;
        /** The keys one get asks for. */
        final int keysPerGet;
        /** Whether a set's line, value and "\r\n" go in three writes (one flush each) rather than with the batch. */
        final boolean splitsWrites;

        Workload(int minValueSize, int maxValueSize, int getsInTen, int keysPerGet, boolean splitsWrites) {
            this.minValueSize = minValueSize;
            this.maxValueSize = maxValueSize;
            this.getsInTen = getsInTen;
            this.keysPerGet = keysPerGet;
            this.splitsWrites = splitsWrites;
        }

        /** @return the size, in bytes, of the next set's value */
        int valueSize(ThreadLocalRandom random) {
            return minValueSize == maxValueSize ? minValueSize : random.nextInt(minValueSize, maxValueSize + 1);
        }
    }

    /**
     * The command line.
     *
     * @param seconds     length of the timed run, seconds (after the keys are set)
     * @param connections connections, each on its own thread
     * @param pipeline    requests sent before the replies are read
     */
    record Options(String host, int port, Workload workload, long seconds, int connections, int pipeline,
                   boolean tls) {

        /**
         * Parses the arguments of {@link #USAGE}: the flags may come anywhere, the four positional
         * arguments in order.
         *
         * @throws IllegalArgumentException naming what is wrong, for any unknown flag, missing or
         *                                  extra argument, number that is not positive or port
         *                                  outside 1-65535
         */
        static Options parse(String... args) {
            boolean tls = false;
            int connections = 4;
            int pipeline = 1;
            List<String> positional = new ArrayList<>();
            for (String arg : args) {
                if (arg.equals("--tls")) {
                    tls = true;
                } else if (arg.startsWith("--connections=")) {
                    connections = positive("--connections", arg.substring("--connections=".length()));
                } else if (arg.startsWith("--pipeline=")) {
                    pipeline = positive("--pipeline", arg.substring("--pipeline=".length()));
                } else if (arg.startsWith("--")) {
                    throw new IllegalArgumentException("unknown option " + arg);
                } else {
                    positional.add(arg);
                }
            }
            if (positional.size() != 4) {
                throw new IllegalArgumentException("expected <host> <port> <get90|set1k|setlarge|mget10> <seconds>, got "
                        + positional);
            }
            int port = positive("port", positional.get(1));
            if (port > 65_535) {
                throw new IllegalArgumentException("port must be at most 65535, was " + port);
            }
            Workload workload = switch (positional.get(2)) {
                case "get90" -> Workload.GET90;
                case "set1k" -> Workload.SET1K;
                case "setlarge" -> Workload.SETLARGE;
                case "mget10" -> Workload.MGET10;
                default -> throw new IllegalArgumentException("workload must be get90, set1k, setlarge or mget10, was "
                        + positional.get(2));
            };
            return new Options(positional.get(0), port, workload, positive("seconds", positional.get(3)),
                    connections, pipeline, tls);
        }

        private static int positive(String name, String text) {
            int value;
            try {
                value = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a number, was " + text, e);
            }
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be positive, was " + value);
            }
            return value;
        }
    }

    /**
     * What a timed run did.
     *
     * @param operations     requests answered in the timed run
     * @param batchLatencies round trip of each batch of {@code pipeline} requests, nanoseconds
     */
    record Result(long operations, Histogram batchLatencies) {
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("TextLoad: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(64);
            return;
        }
        Result result = run(options, System.out);
        Histogram latencies = result.batchLatencies();
        System.out.println("ops/s: " + result.operations() / options.seconds());
        System.out.printf("latency_us: p50=%.1f p99=%.1f p99.9=%.1f max=%.1f batches=%d%n",
                micros(latencies.getValueAtPercentile(50)), micros(latencies.getValueAtPercentile(99)),
                micros(latencies.getValueAtPercentile(99.9)), micros(latencies.getMaxValue()),
                latencies.getTotalCount());
    }

    private static double micros(long nanos) {
        return nanos / 1000.0;
    }

    /**
     * Sets the keys, prints {@code loaded} to {@code progress}, then runs the workload on
     * {@code options.connections()} threads for {@code options.seconds()} seconds.
     *
     * @throws IOException           if a connection cannot be made or a reply is not the one expected
     * @throws IllegalStateException if a connection of the timed run failed (the cause says how)
     */
    static Result run(Options options, PrintStream progress) throws IOException, InterruptedException {
        InetSocketAddress address = new InetSocketAddress(options.host(), options.port());
        SSLContext tls = options.tls() ? trustingContext() : null;
        Workload workload = options.workload();
        // memcached 1.6.18 -Z stops answering a batch of pipelined sets over TLS (seen with 100
        // sets of 1 KiB: the replies never come); over TLS the keys are set one at a time
        int batch = tls == null ? PRELOAD_BATCH : 1;
        try (Connection loader = new Connection(tls, address)) {
            for (int first = 0; first < KEYS; first += batch) {
                int end = Math.min(KEYS, first + batch);
                for (int key = first; key < end; key++) {
                    loader.set(key, workload.valueSize(ThreadLocalRandom.current()), false);
                }
                loader.flush();
                for (int key = first; key < end; key++) {
                    loader.expectLine("STORED");
                }
            }
        }
        progress.println("loaded");
        progress.flush();
        long deadline = System.nanoTime() + options.seconds() * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        List<Histogram> histograms = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int i = 0; i < options.connections(); i++) {
            Histogram histogram = new Histogram(3);
            histograms.add(histogram);
            Thread thread = Thread.ofPlatform().name("text-load-" + i).start(() -> {
                try (Connection connection = new Connection(tls, address)) {
                    runConnection(connection, workload, options.pipeline(), deadline, histogram);
                } catch (IOException | RuntimeException e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            });
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("a connection failed", failures.getFirst());
        }
        Histogram all = new Histogram(3);
        for (Histogram histogram : histograms) {
            all.add(histogram);
        }
        return new Result(all.getTotalCount() * options.pipeline(), all);
    }

    private static void runConnection(Connection connection, Workload workload, int pipeline, long deadline,
                                      Histogram latencies) throws IOException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        boolean[] isGet = new boolean[pipeline];
        long start;
        while ((start = System.nanoTime()) < deadline) {
            for (int i = 0; i < pipeline; i++) {
                isGet[i] = random.nextInt(10) < workload.getsInTen;
                if (isGet[i]) {
                    connection.get(random, workload.keysPerGet);
                } else {
                    connection.set(random.nextInt(KEYS), workload.valueSize(random), workload.splitsWrites);
                }
            }
            connection.flush();
            for (int i = 0; i < pipeline; i++) {
                if (isGet[i]) {
                    connection.skipValueReply();
                } else {
                    connection.expectLine("STORED");
                }
            }
            latencies.recordValue(System.nanoTime() - start);
        }
    }

    private static SSLContext trustingContext() throws IOException {
        TrustManager trustAll = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trustAll}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("no TLS context", e);
        }
    }

    /** One connection, plain or TLS, with buffered streams; not thread-safe. */
    private static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        private final byte[] line = new byte[4096];
        private final byte[] value = new byte[2048];
        /** The bytes every value is made of ('v'), as long as the largest value. */
        private static final byte[] FILLER = "v".repeat(Workload.SETLARGE.maxValueSize).getBytes(StandardCharsets.US_ASCII);

        /** A TLS connection when {@code tls} is not null, else a plain TCP one. */
        Connection(SSLContext tls, InetSocketAddress address) throws IOException {
            socket = tls == null ? new Socket() : tls.getSocketFactory().createSocket();
            socket.connect(address, 5000);
            socket.setTcpNoDelay(true);
            if (socket instanceof SSLSocket secure) {
                secure.startHandshake();
            }
            out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        }

        /** Writes a set; with {@code split}, flushes its line and its value each on its own. */
        void set(int key, int valueSize, boolean split) throws IOException {
            out.write(("set key:" + key + " 0 0 " + valueSize + "\r\n").getBytes(StandardCharsets.US_ASCII));
            if (split) {
                out.flush();
            }
            out.write(FILLER, 0, valueSize);
            if (split) {
                out.flush();
            }
            out.write('\r');
            out.write('\n');
        }

        /** Writes a get of {@code keys} keys drawn at random (a key may come twice). */
        void get(ThreadLocalRandom random, int keys) throws IOException {
            StringBuilder request = new StringBuilder("get");
            for (int i = 0; i < keys; i++) {
                request.append(" key:").append(random.nextInt(KEYS));
            }
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
        }

        void flush() throws IOException {
            out.flush();
        }

        /** Reads a get's reply: a VALUE line and data block per hit, then END. */
        void skipValueReply() throws IOException {
            String line;
            while (!(line = readLine()).equals("END")) {
                if (!line.startsWith("VALUE ")) {
                    throw new IOException("unexpected reply to get: " + line);
                }
                int length = Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1));
                if (in.readNBytes(value, 0, length + 2) != length + 2) {
                    throw new IOException("connection closed in a value");
                }
            }
        }

        void expectLine(String expected) throws IOException {
            String reply = readLine();
            if (!reply.equals(expected)) {
                throw new IOException("expected " + expected + ", got " + reply);
            }
        }

        private String readLine() throws IOException {
            int n = 0;
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    throw new IOException("connection closed");
                }
                line[n++] = (byte) b;
            }
            return new String(line, 0, n - 1, StandardCharsets.US_ASCII);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
