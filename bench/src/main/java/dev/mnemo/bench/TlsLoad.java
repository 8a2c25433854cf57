package dev.mnemo.bench;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * A memcached text-protocol load generator over TLS (the JDK's SSLSocket), for
 * bench/tls-compare.sh: memtier_benchmark is not in Debian. Each connection runs on its own
 * thread and sends {@code pipeline} requests, then reads their replies, until the time is up.
 *
 * <p>Workloads, after memtier's: {@code get90} (1 set for 9 gets, 32-byte values, memtier's
 * default size) and {@code set1k} (sets only, 1024-byte values); keys {@code key:0} to
 * {@code key:9999}, all set before the timed run so gets hit.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.mnemo.bench.TlsLoad <host> <port> <get90|set1k>
 * <seconds> [connections=8] [pipeline=1]}; prints {@code ops/s: <n>}. The client trusts any
 * server certificate: a benchmark, never a client to copy.
 */
public final class TlsLoad {

    private static final int KEYS = 10_000;

    private TlsLoad() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: TlsLoad <host> <port> <get90|set1k> <seconds> [connections=8] [pipeline=1]");
            System.exit(64);
        }
        InetSocketAddress address = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        String workload = args[2];
        if (!workload.equals("get90") && !workload.equals("set1k")) {
            throw new IllegalArgumentException("workload must be get90 or set1k, was " + workload);
        }
        long seconds = Long.parseLong(args[3]);
        int connections = args.length > 4 ? Integer.parseInt(args[4]) : 8;
        int pipeline = args.length > 5 ? Integer.parseInt(args[5]) : 1;
        int valueSize = workload.equals("get90") ? 32 : 1024;
        SSLContext tls = trustingContext();

        try (Connection loader = new Connection(tls, address)) {
            for (int key = 0; key < KEYS; key++) {
                loader.set(key, valueSize);
                loader.flush();
                loader.expectLine("STORED");
            }
        }
        LongAdder ops = new LongAdder();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Thread thread = Thread.ofPlatform().name("tls-load-" + i).start(() -> {
                try (Connection connection = new Connection(tls, address)) {
                    run(connection, workload.equals("get90"), valueSize, pipeline, deadline, ops);
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
        System.out.println("ops/s: " + ops.sum() / seconds);
    }

    private static void run(Connection connection, boolean mostlyGets, int valueSize, int pipeline, long deadline,
                            LongAdder ops) throws IOException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        boolean[] isGet = new boolean[pipeline];
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < pipeline; i++) {
                int key = random.nextInt(KEYS);
                isGet[i] = mostlyGets && random.nextInt(10) != 0;
                if (isGet[i]) {
                    connection.get(key);
                } else {
                    connection.set(key, valueSize);
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
            ops.add(pipeline);
        }
    }

    private static SSLContext trustingContext() throws GeneralSecurityException {
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
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {trustAll}, null);
        return context;
    }

    /** One TLS connection with buffered streams; not thread-safe. */
    private static final class Connection implements AutoCloseable {
        private final SSLSocket socket;
        private final OutputStream out;
        private final InputStream in;
        private final byte[] line = new byte[4096];
        private final byte[] value = new byte[2048];

        Connection(SSLContext tls, InetSocketAddress address) throws IOException {
            socket = (SSLSocket) tls.getSocketFactory().createSocket();
            socket.connect(address, 5000);
            socket.setTcpNoDelay(true);
            socket.startHandshake();
            out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        }

        void set(int key, int valueSize) throws IOException {
            out.write(("set key:" + key + " 0 0 " + valueSize + "\r\n").getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < valueSize; i++) {
                out.write('v');
            }
            out.write('\r');
            out.write('\n');
        }

        void get(int key) throws IOException {
            out.write(("get key:" + key + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }

        void flush() throws IOException {
            out.flush();
        }

        /** Reads a get's reply: VALUE line, data block and END, or END alone. */
        void skipValueReply() throws IOException {
            String first = readLine();
            if (first.equals("END")) {
                return;
            }
            if (!first.startsWith("VALUE ")) {
                throw new IOException("unexpected reply to get: " + first);
            }
            int length = Integer.parseInt(first.substring(first.lastIndexOf(' ') + 1));
            in.readNBytes(value, 0, length + 2);
            expectLine("END");
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
