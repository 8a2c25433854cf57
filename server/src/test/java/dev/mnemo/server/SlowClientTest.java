package dev.mnemo.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Slow and silent clients (issue 16): memcached's {@code -o idle_timeout} and the 2048-byte
 * limit of a command line that arrives a few bytes at a time. Runs against memcached 1.6.18 too
 * ({@code -Dmnemo.it.memcached=true}).
 */
@Timeout(60)
class SlowClientTest {

    /**
     * A connection that sends nothing, and one that holds a command line it never finishes, are
     * closed after the timeout without a reply; one that sends commands, one that is receiving a
     * data block (memcached's conn_nread) and a log stream are not; "stats" counts the kicks and
     * "watch connevents" names the reason.
     */
    @Test
    void idleTimeoutClosesOnlyConnectionsWaitingForACommand() {
        try (RunningServer server = RunningServer.start("-o", "idle_timeout=1");
             RawClient watcher = server.connect();
             RawClient active = server.connect();
             RawClient silent = server.connect();
             RawClient partialLine = server.connect();
             RawClient dataBlock = server.connect()) {
            long start = System.nanoTime();
            watcher.send("watch connevents\r\n").expect("OK\r\n");
            partialLine.send("get never-fin");
            dataBlock.send("set slow 0 0 10\r\n01234");
            // the active client keeps sending commands for 3 s, three times the timeout
            while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3)) {
                active.send("version\r\n");
                assertTrue(active.readLine().startsWith("VERSION "));
                pause(200);
            }
            silent.expectClosed("");
            partialLine.expectClosed("");
            dataBlock.exchange("56789\r\n", "STORED\r\n");
            assertEquals("2", stat(active, "stats\r\n", "idle_kicks"));
            assertEquals("1", stat(active, "stats settings\r\n", "idle_timeout"));
            List<String> closes = new ArrayList<>();
            while (closes.size() < 2) {
                String line = logLine(watcher); // a missing event fails on the 5 s read timeout
                if (line.contains("type=conn_close")) {
                    closes.add(line);
                }
            }
            for (String close : closes) {
                assertTrue(close.contains(" reason=idle_timeout "), close);
            }
            active.exchange("stats reset\r\n", "RESET\r\n");
            assertEquals("0", stat(active, "stats\r\n", "idle_kicks"));
        }
    }

    /** The timeout is measured from the last command, so a connection is not closed before it passes. */
    @Test
    void idleConnectionLivesUntilTheTimeout() {
        try (RunningServer server = RunningServer.start("-o", "idle_timeout=2");
             RawClient client = server.connect()) {
            long start = System.nanoTime();
            client.send("version\r\n");
            assertTrue(client.readLine().startsWith("VERSION "));
            client.expectClosed("");
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(elapsedMillis >= 1900, "closed " + elapsedMillis + " ms after the last command");
        }
    }

    /** Without -o idle_timeout: idle_timeout 0 in "stats settings", no idle_kicks in "stats". */
    @Test
    void noTimeoutByDefault() {
        try (RunningServer server = RunningServer.start();
             RawClient client = server.connect()) {
            assertEquals("0", stat(client, "stats settings\r\n", "idle_timeout"));
            assertEquals(null, stat(client, "stats\r\n", "idle_kicks"));
        }
    }

    /**
     * A command line sent a few bytes at a time is refused like one sent at once: past 2048
     * bytes without a newline (and not a get), memcached closes the connection.
     */
    @Test
    void slowLineOverTheLimitClosesTheConnection() {
        try (RunningServer server = RunningServer.start();
             RawClient client = server.connect()) {
            for (int sent = 0; sent < 2100; sent += 100) {
                client.send("x".repeat(100));
            }
            client.expectClosed("");
        }
    }

    /** A long get line sent a few bytes at a time is served, as memcached serves it. */
    @Test
    void slowLongGetLineIsServed() {
        try (RunningServer server = RunningServer.start();
             RawClient client = server.connect()) {
            client.send("get");
            for (int i = 0; i < 300; i++) {
                client.send(" key-" + i);
            }
            client.send("\r\n");
            client.expect("END\r\n");
            client.exchange("", ""); // the connection still serves
        }
    }

    /** @return a "watch" line, which ends with a bare newline, as memcached's */
    private static String logLine(RawClient watcher) {
        StringBuilder line = new StringBuilder();
        for (char c = (char) watcher.read(1)[0]; c != '\n'; c = (char) watcher.read(1)[0]) {
            line.append(c);
        }
        return line.toString();
    }

    /** @return the value of stat {@code name} in the reply to {@code command}, or null if it has none */
    private static String stat(RawClient client, String command, String name) {
        client.send(command);
        String value = null;
        for (String line = client.readLine(); !line.equals("END\r\n"); line = client.readLine()) {
            if (line.startsWith("STAT " + name + " ")) {
                value = line.substring(("STAT " + name + " ").length(), line.length() - 2);
            }
        }
        return value;
    }

    /** Paces the active client; not a synchronisation (every check above reads with a deadline). */
    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
    }
}
