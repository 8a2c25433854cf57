package dev.mnemo.server;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A client that sends its requests and then shuts down its side of the connection (FIN, as
 * {@code printf 'get k\r\n' | nc -N host 11211} does) gets every reply, then the server's close:
 * memcached answers what it read before the end of the stream. Checked on every transport:
 * io_uring writes asynchronously, and a close on the FIN dropped replies still in flight (found by
 * {@link FuzzDifferentialTest} when io_uring became the default). The replies here pass the
 * high-water mark (the server is throttled when the FIN arrives) and end with a streamed key dump.
 */
class HalfCloseTest {

    private static final int KEYS = 2_000;
    private static final String VALUE = "v".repeat(1_000);

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "io_uring", "nio"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyRequestSentBeforeTheFinIsAnswered(String transport) throws IOException {
        Transport named = Transport.named(transport);
        assumeTrue(RunningServer.AGAINST_MEMCACHED ? transport.equals("epoll") : named.isAvailable(),
                transport + " is not available here");
        String[] flags = RunningServer.AGAINST_MEMCACHED ? new String[0] : new String[] {"--transport", transport};
        try (RunningServer server = RunningServer.start(flags)) {
            StringBuilder sets = new StringBuilder();
            StringBuilder gets = new StringBuilder();
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < KEYS; i++) {
                sets.append("set half:").append(i).append(" 0 0 ").append(VALUE.length()).append(" noreply\r\n")
                        .append(VALUE).append("\r\n");
                gets.append("get half:").append(i).append("\r\n");
                expected.append("VALUE half:").append(i).append(" 0 ").append(VALUE.length()).append("\r\n")
                        .append(VALUE).append("\r\nEND\r\n");
            }
            String reply = sendThenShutdownOutput(server.port(), sets + gets.toString() + "lru_crawler metadump all\r\n");
            assertTrue(reply.length() > expected.length(), "reply cut at " + reply.length() + " bytes");
            assertEquals(expected.toString(), reply.substring(0, expected.length()));
            String dump = reply.substring(expected.length());
            assertTrue(dump.endsWith("END\r\n"), "key dump not ended: " + dump.substring(Math.max(0, dump.length() - 80)));
            assertEquals(KEYS, dump.lines().filter(line -> line.startsWith("key=half%3A")).count(), "keys in the dump");
        }
    }

    /** Writes the bytes, shuts down the output side and reads until the server closes. */
    private static String sendThenShutdownOutput(int port, String requests) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(requests.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            in.transferTo(received);
            return received.toString(StandardCharsets.US_ASCII);
        }
    }
}
