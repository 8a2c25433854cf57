package dev.mnemo.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * libmemcached's load generator, {@code memcaslap} (Debian libmemcached-tools), in UDP mode for
 * two seconds against a server with -t 2: 90% gets, 10% sets, every reply received, in order,
 * none lost and no get missing. Skipped only when the binary is missing; ./run-tests installs it.
 */
class MemcaslapUdpTest {

    private static final Path MEMCASLAP = Path.of("/usr/bin/memcaslap");

    @Test
    @Timeout(60)
    void aShortUdpRunLosesNothing() throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(MEMCASLAP), "memcaslap is not installed (apt-get install libmemcached-tools)");
        int port = freePort(); // memcaslap needs the TCP and UDP ports to be the same
        try (RunningServer server = RunningServer.start("-p", Integer.toString(port), "-U", Integer.toString(port),
                "-t", "2")) {
            Process process = new ProcessBuilder(MEMCASLAP.toString(), "-s", "127.0.0.1:" + server.port(), "-U",
                    "-t", "2s", "-c", "4", "-T", "1")
                    .redirectErrorStream(true)
                    .start();
            process.getOutputStream().close();
            boolean finished = process.waitFor(30, TimeUnit.SECONDS);
            if (!finished) {
                process.destroyForcibly();
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(finished, "memcaslap did not finish:\n" + output);
            assertEquals(0, process.exitValue(), output);
            assertTrue(count(output, "cmd_get") > 1000, output);
            assertTrue(count(output, "cmd_set") > 100, output);
            assertEquals(0, count(output, "get_misses"), output);
            assertEquals(0, count(output, "packet_disorder"), output);
            assertEquals(0, count(output, "packet_drop"), output);
            assertEquals(0, count(output, "udp_timeout"), output);
        }
    }

    /** @return the value memcaslap printed for {@code name} ("name: value") */
    private static long count(String output, String name) {
        Matcher matcher = Pattern.compile("(?m)^" + name + ": (\\d+)$").matcher(output);
        assertTrue(matcher.find(), name + " missing from:\n" + output);
        return Long.parseLong(matcher.group(1));
    }

    /** @return a loopback port that was free for both TCP and UDP a moment ago (memcaslap needs the same number) */
    private static int freePort() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                 DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                         tcp.getLocalPort()))) {
                return udp.getLocalPort();
            } catch (BindException taken) {
                // the UDP port of that number is in use: try another
            }
        }
        throw new IOException("no loopback port free for both TCP and UDP in 100 attempts");
    }
}
