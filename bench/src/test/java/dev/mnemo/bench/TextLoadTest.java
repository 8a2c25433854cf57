package dev.mnemo.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TextLoadTest {

    @Test
    void parsesDefaultsAndFlagsAnywhere() {
        TextLoad.Options defaults = TextLoad.Options.parse("127.0.0.1", "11211", "get90", "10");
        assertEquals(new TextLoad.Options("127.0.0.1", 11211, TextLoad.Workload.GET90, 10, 4, 1, false), defaults);

        TextLoad.Options flags = TextLoad.Options.parse("--pipeline=8", "localhost", "--tls", "20000", "set1k", "3",
                "--connections=16");
        assertEquals(new TextLoad.Options("localhost", 20000, TextLoad.Workload.SET1K, 3, 16, 8, true), flags);
    }

    @Test
    void rejectsWhatItCannotRun() {
        String[][] bad = {
                {"127.0.0.1", "11211", "get90"},
                {"127.0.0.1", "11211", "get90", "10", "extra"},
                {"127.0.0.1", "11211", "get50", "10"},
                {"127.0.0.1", "port", "get90", "10"},
                {"127.0.0.1", "70000", "get90", "10"},
                {"127.0.0.1", "11211", "get90", "0"},
                {"--connections=0", "127.0.0.1", "11211", "get90", "10"},
                {"--pipeline=-1", "127.0.0.1", "11211", "get90", "10"},
                {"--udp", "127.0.0.1", "11211", "get90", "10"},
        };
        for (String[] args : bad) {
            assertThrows(IllegalArgumentException.class, () -> TextLoad.Options.parse(args), String.join(" ", args));
        }
    }

    @Test
    void countsEveryRequestTheServerAnsweredAfterLoading() throws Exception {
        try (FakeServer server = new FakeServer()) {
            TextLoad.Options options = new TextLoad.Options("127.0.0.1", server.port(), TextLoad.Workload.GET90,
                    1, 2, 3, false);
            ByteArrayOutputStream progress = new ByteArrayOutputStream();
            TextLoad.Result result = TextLoad.run(options, new PrintStream(progress, true, StandardCharsets.US_ASCII));

            assertEquals("loaded", progress.toString(StandardCharsets.US_ASCII).strip());
            assertTrue(result.operations() > 0);
            assertEquals(result.batchLatencies().getTotalCount() * 3, result.operations());
            assertEquals(TextLoad.KEYS + result.operations(), server.requests.get());
            assertTrue(server.getHits.get() > 0);
            assertEquals(0, server.getMisses.get(), "every key was set before the timed run");
            assertFalse(server.failed, "the load sent only well-formed get and set requests");
        }
    }

    @Test
    void aMultiKeyGetAsksForTenKeysAndReadsEveryValue() throws Exception {
        try (FakeServer server = new FakeServer()) {
            TextLoad.Options options = new TextLoad.Options("127.0.0.1", server.port(), TextLoad.Workload.MGET10,
                    1, 2, 2, false);
            TextLoad.Result result = TextLoad.run(options, new PrintStream(new ByteArrayOutputStream(), true,
                    StandardCharsets.US_ASCII));

            assertTrue(result.operations() > 0);
            assertEquals(TextLoad.KEYS + result.operations(), server.requests.get(), "one request per get of ten keys");
            assertEquals(10 * result.operations(), server.getHits.get(), "ten keys a get, all set before the timed run");
            assertEquals(0, server.getMisses.get());
            assertFalse(server.failed, "the load sent only well-formed get and set requests");
        }
    }

    /**
     * Just enough of the text protocol for TextLoad: {@code get <key>*} and
     * {@code set <key> 0 0 <bytes>}, one thread per connection.
     */
    private static final class FakeServer implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final Map<String, byte[]> items = new ConcurrentHashMap<>();
        final AtomicLong requests = new AtomicLong();
        final AtomicLong getHits = new AtomicLong();
        final AtomicLong getMisses = new AtomicLong();
        volatile boolean failed;

        FakeServer() throws IOException {
            Thread.ofPlatform().daemon().name("fake-server-accept").start(() -> {
                while (!listener.isClosed()) {
                    try {
                        Socket socket = listener.accept();
                        Thread.ofPlatform().daemon().name("fake-server-connection").start(() -> serve(socket));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        int port() {
            return listener.getLocalPort();
        }

        private void serve(Socket socket) {
            try (socket) {
                InputStream in = new BufferedInputStream(socket.getInputStream());
                OutputStream out = new BufferedOutputStream(socket.getOutputStream());
                String line;
                while ((line = readLine(in)) != null) {
                    String[] words = line.split(" ");
                    if (words[0].equals("get") && words.length >= 2) {
                        for (int i = 1; i < words.length; i++) {
                            byte[] value = items.get(words[i]);
                            if (value == null) {
                                getMisses.incrementAndGet();
                            } else {
                                getHits.incrementAndGet();
                                out.write(("VALUE " + words[i] + " 0 " + value.length + "\r\n")
                                        .getBytes(StandardCharsets.US_ASCII));
                                out.write(value);
                                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                            }
                        }
                        out.write("END\r\n".getBytes(StandardCharsets.US_ASCII));
                    } else if (words[0].equals("set") && words.length == 5) {
                        byte[] value = in.readNBytes(Integer.parseInt(words[4]));
                        if (!"".equals(readLine(in))) {
                            failed = true;
                            return;
                        }
                        items.put(words[1], value);
                        out.write("STORED\r\n".getBytes(StandardCharsets.US_ASCII));
                    } else {
                        failed = true;
                        return;
                    }
                    requests.incrementAndGet();
                    if (in.available() == 0) {
                        out.flush();
                    }
                }
            } catch (IOException closedByClient) {
                // the load closed its connection
            }
        }

        /** Reads a line ending in \r\n, without it; null at the end of the stream. */
        private static String readLine(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    return null;
                }
                line.append((char) b);
            }
            return line.substring(0, line.length() - 1);
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}
