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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The mnemo command as a process: one log line on start, serves, stops cleanly on SIGTERM; --metrics-port. */
class MainProcessTest {

    private static final Pattern STARTED = Pattern.compile(
            ".*mnemo \\S+ listening on 127\\.0\\.0\\.1:(\\d+) \\((epoll|io_uring|nio): [^)]+\\), memory limit 16 MiB, 2 threads, .*");

    /** The log so far; the process writes it to a file because Process.destroy() closes its pipes. */
    private static List<String> lines(Path log) throws IOException {
        return Files.readAllLines(log);
    }

    @Test
    @Timeout(60)
    void logsOneLineOnStartAndStopsCleanlyOnSigterm(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("mnemo.log");
        Process process = startMain(log);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (lines(log).isEmpty() || !lines(log).getFirst().contains("listening on")) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    fail("the server did not log its start: " + lines(log));
                }
                Thread.onSpinWait();
            }
            Matcher started = STARTED.matcher(lines(log).getFirst());
            assertTrue(started.matches(), lines(log).getFirst());
            int port = Integer.parseInt(started.group(1));
            try (RawClient client = new RawClient(new InetSocketAddress("127.0.0.1", port))) {
                client.exchange("set k 0 0 1\r\nv\r\nget k\r\n", "STORED\r\nVALUE k 0 1\r\nv\r\nEND\r\n");
            }
            process.destroy(); // SIGTERM
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "the server did not stop on SIGTERM");
            List<String> all = lines(log);
            assertEquals(2, all.size(), "the start line and the stop line only: " + all);
            assertTrue(all.get(1).endsWith("mnemo stopped"), all.toString());
            assertEquals(0, process.exitValue(), "a clean stop, as memcached's");
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    @Timeout(60)
    void rereadsTheAuthFileOnSighup(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("mnemo.log");
        Path auth = dir.resolve("auth");
        Files.writeString(auth, "alice:old\n");
        String java = ProcessHandle.current().info().command().orElseThrow();
        // env --default-signal: a build run under nohup hands SIGHUP down ignored, and a JVM that
        // starts with SIGHUP ignored never delivers it to the handler
        Process process = new ProcessBuilder("env", "--default-signal=HUP", java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "-p", "0", "-m", "16", "-t", "2",
                "-S", "-Y", auth.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            int port = awaitStart(log, process);
            Files.writeString(auth, "alice:new\n");
            new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start().waitFor();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (lines(log).stream().noneMatch(l -> l.contains("re-read the auth file"))) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    fail("the server did not re-read the auth file: " + lines(log));
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            assertTrue(lines(log).stream().noneMatch(l -> l.contains("new") && !l.contains("re-read")), "no password logged");
            try (RawClient client = new RawClient(new InetSocketAddress("127.0.0.1", port))) {
                client.send("set a 0 0 9\r\nalice new\r\n");
                client.expect("STORED\r\n");
            }
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    @Timeout(60)
    void servesMetricsWithMetricsPortUntilStopped(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("mnemo.log");
        Process process = startMain(log, "--metrics-port", "0");
        try {
            int port = awaitStart(log, process);
            Pattern metricsLine = Pattern.compile(".*metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics, health check on /healthz");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (lines(log).size() < 2 || !metricsLine.matcher(lines(log).get(1)).matches()) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    fail("the server did not log the metrics port: " + lines(log));
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            Matcher metrics = metricsLine.matcher(lines(log).get(1));
            assertTrue(metrics.matches());
            URI uri = URI.create("http://127.0.0.1:" + metrics.group(1));
            try (RawClient client = new RawClient(new InetSocketAddress("127.0.0.1", port))) {
                client.exchange("set k 0 0 1\r\nv\r\nget k\r\n", "STORED\r\nVALUE k 0 1\r\nv\r\nEND\r\n");
            }
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String text = http.send(HttpRequest.newBuilder(uri.resolve("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertEquals(1, MetricsEndpointTest.value(text, "memcached_up"));
            assertEquals(1, MetricsEndpointTest.value(text, "memcached_commands_total{command=\"get\",status=\"hit\"}"));
            HttpRequest health = HttpRequest.newBuilder(uri.resolve("/healthz")).build();
            assertEquals(200, http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode());

            process.destroy(); // SIGTERM
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "the server did not stop on SIGTERM");
            assertThrows(ConnectException.class, () -> http.send(health, HttpResponse.BodyHandlers.discarding()));
        } finally {
            process.destroyForcibly();
        }
    }

    /** Starts {@code mnemo -p 0 -m 16 -t 2} and the flags given, its output going to {@code log}. */
    private static Process startMain(Path log, String... flags) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "-p", "0", "-m", "16", "-t", "2"));
        command.addAll(List.of(flags));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static int awaitStart(Path log, Process process) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (lines(log).isEmpty() || !lines(log).getFirst().contains("listening on")) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                fail("the server did not log its start: " + lines(log));
            }
            Thread.onSpinWait();
        }
        Matcher started = STARTED.matcher(lines(log).getFirst());
        assertTrue(started.matches(), lines(log).getFirst());
        return Integer.parseInt(started.group(1));
    }
}
