package dev.mnemo.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The mnemo command as a process: one log line on start, serves, stops cleanly on SIGTERM. */
class MainProcessTest {

    private static final Pattern STARTED = Pattern.compile(
            ".*mnemo \\S+ listening on 127\\.0\\.0\\.1:(\\d+) \\((epoll|nio)\\), memory limit 16 MiB, 2 threads, .*");

    @Test
    @Timeout(60)
    void logsOneLineOnStartAndStopsCleanlyOnSigterm() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process process = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "-p", "0", "-m", "16", "-t", "2")
                .redirectErrorStream(true)
                .start();
        try (BufferedReader log = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String first = log.readLine();
            Matcher started = STARTED.matcher(String.valueOf(first));
            if (!started.matches()) {
                fail("unexpected first log line: " + first);
            }
            int port = Integer.parseInt(started.group(1));
            try (RawClient client = new RawClient(new java.net.InetSocketAddress("127.0.0.1", port))) {
                client.exchange("set k 0 0 1\r\nv\r\nget k\r\n", "STORED\r\nVALUE k 0 1\r\nv\r\nEND\r\n");
            }
            process.destroy(); // SIGTERM
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "the server did not stop on SIGTERM");
            List<String> rest = new ArrayList<>();
            for (String line = log.readLine(); line != null; line = log.readLine()) {
                rest.add(line);
            }
            assertEquals(1, rest.size(), "after the start line, only the stop line: " + rest);
            assertTrue(rest.getFirst().endsWith("mnemo stopped"), rest.toString());
            assertEquals(143, process.exitValue(), "128 + SIGTERM");
        } finally {
            process.destroyForcibly();
        }
    }
}
