package dev.mnemo.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The mnemo command with --metrics-port 0: logs the bound port, serves /metrics and /healthz, stops with the server. */
class MetricsProcessTest {

    private static final Pattern LISTENING = Pattern.compile(".*listening on 127\\.0\\.0\\.1:(\\d+) .*");
    private static final Pattern METRICS = Pattern.compile(
            ".*metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics, health check on /healthz");

    @Test
    @Timeout(60)
    void servesMetricsOnTheListenAddressUntilStopped(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("mnemo.log");
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process process = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "-p", "0", "-m", "16", "-t", "2", "--metrics-port", "0")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            int port = Integer.parseInt(awaitLine(log, process, LISTENING).group(1));
            int metricsPort = Integer.parseInt(awaitLine(log, process, METRICS).group(1));
            try (RawClient client = new RawClient(new InetSocketAddress("127.0.0.1", port))) {
                client.exchange("set k 0 0 1\r\nv\r\nget k\r\n", "STORED\r\nVALUE k 0 1\r\nv\r\nEND\r\n");
            }
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String text = get(http, metricsPort, "/metrics").body();
            assertEquals(1, MetricsEndpointTest.value(text, "memcached_up"));
            assertEquals(1, MetricsEndpointTest.value(text, "memcached_commands_total{command=\"get\",status=\"hit\"}"));
            assertEquals(1, MetricsEndpointTest.value(text, "memcached_current_items"));
            assertEquals(200, get(http, metricsPort, "/healthz").statusCode());

            process.destroy(); // SIGTERM
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "the server did not stop on SIGTERM");
            assertThrows(ConnectException.class, () -> get(http, metricsPort, "/healthz"));
        } finally {
            process.destroyForcibly();
        }
    }

    private static HttpResponse<String> get(HttpClient http, int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Matcher awaitLine(Path log, Process process, Pattern pattern) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            List<String> lines = Files.readAllLines(log);
            for (String line : lines) {
                Matcher m = pattern.matcher(line);
                if (m.matches()) {
                    return m;
                }
            }
            if (System.nanoTime() > deadline || !process.isAlive()) {
                fail("no line matching " + pattern + " in " + lines);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
