package dev.mnemo.dist;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bin/mnemo's maximum heap: sized from the connection limit (-c) unless the operator sets one, and
 * large enough for that many open connections (jvm.options stops the JVM on an
 * OutOfMemoryError, so an undersized heap fails the last test).
 */
class LauncherHeapTest {

    /** Connections opened against a server at its computed heap: bounded, but above memcached's default -c. */
    private static final int CONNECTIONS = 2000;

    @Test
    void sizesTheMaximumHeapFromTheConnectionLimit(@TempDir Path unpacked, @TempDir Path fakeJdk) throws Exception {
        String mnemo = Dist.unpack(unpacked).resolve("bin/mnemo").toString();
        Map<String, String> env = Map.of("JAVA_HOME", echoingJava(fakeJdk).toString(), "MNEMO_JAVA_OPTS", "");

        // 16 MiB + 4 KiB per connection, rounded up to MiB; 6 KiB per connection with TLS
        assertEquals(List.of("-Xmx20m"), heapOptions(unpacked, env, mnemo, "-m", "64"));
        assertEquals(List.of("-Xmx24m"), heapOptions(unpacked, env, mnemo, "-c", "2000"));
        assertEquals(List.of("-Xmx24m"), heapOptions(unpacked, env, mnemo, "-c2000"));
        assertEquals(List.of("-Xmx56m"), heapOptions(unpacked, env, mnemo, "--conn-limit=10240"));
        assertEquals(List.of("-Xmx56m"), heapOptions(unpacked, env, mnemo, "-v", "--conn-limit", "10240"));
        assertEquals(List.of("-Xmx36m"), heapOptions(unpacked, env, mnemo, "-vc", "5000"));
        assertEquals(List.of("-Xmx75m"), heapOptions(unpacked, env, mnemo, "-Z", "-c", "10000"));
        assertEquals(List.of("-Xmx22m"), heapOptions(unpacked, env, mnemo, "--enable-ssl"));
        assertEquals(List.of(), heapOptions(unpacked, env, mnemo, "-c", "many"), "the server refuses the flag itself");
    }

    @Test
    void keepsTheOperatorsMaximumHeap(@TempDir Path unpacked, @TempDir Path fakeJdk) throws Exception {
        String mnemo = Dist.unpack(unpacked).resolve("bin/mnemo").toString();
        String java = echoingJava(fakeJdk).toString();

        assertEquals(List.of("-Xmx300m"), heapOptions(unpacked,
                Map.of("JAVA_HOME", java, "MNEMO_JAVA_OPTS", "-Xmx300m"), mnemo, "-c", "2000"));
        assertEquals(List.of("-XX:MaxHeapSize=1g"), heapOptions(unpacked,
                Map.of("JAVA_HOME", java, "MNEMO_JAVA_OPTS", "-XX:MaxHeapSize=1g"), mnemo, "-c", "2000"));
    }

    @Test
    @Timeout(120)
    void holdsItsConnectionLimitOpenAtTheComputedHeap(@TempDir Path unpacked) throws Exception {
        String mnemo = Dist.unpack(unpacked).resolve("bin/mnemo").toString();
        Map<String, String> env = Map.of("JAVA_HOME", Dist.JAVA_HOME);
        List<Socket> open = new ArrayList<>();
        try (RunningMnemo server = new RunningMnemo(unpacked, env, mnemo, "-p", "0", "-m", "16", "-t", "2",
                "-c", Integer.toString(CONNECTIONS))) {
            try {
                // each connection sends a meta command, which builds the largest per-connection state
                for (int i = 0; i < CONNECTIONS; i++) {
                    Socket socket = new Socket();
                    open.add(socket);
                    socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
                    socket.setSoTimeout(10_000);
                    socket.getOutputStream().write("mn\r\n".getBytes(StandardCharsets.US_ASCII));
                    assertEquals("MN", readLine(socket.getInputStream()), "connection " + i);
                }
                for (Socket socket : open) { // all still served, with all of them open
                    socket.getOutputStream().write("mn\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                for (Socket socket : open) {
                    assertEquals("MN", readLine(socket.getInputStream()));
                }
            } finally {
                for (Socket socket : open) {
                    socket.close();
                }
            }
            assertFalse(Files.readString(unpacked.resolve("mnemo.log")).contains("OutOfMemoryError"));
            server.stop(); // fails unless the server is still running and stops cleanly
        }
    }

    /** A Java 25 that prints its arguments, one per line, instead of starting a JVM. */
    private static Path echoingJava(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("bin"));
        Path java = Files.writeString(dir.resolve("bin/java"), "#!/bin/sh\nprintf '%s\\n' \"$@\"\n");
        assertTrue(java.toFile().setExecutable(true));
        Files.writeString(dir.resolve("release"), "JAVA_VERSION=\"25.0.1\"\n");
        return dir;
    }

    /** The -Xmx and -XX:MaxHeapSize options bin/mnemo passes the (echoing) java. */
    private static List<String> heapOptions(Path dir, Map<String, String> env, String... command) throws Exception {
        return Arrays.stream(Dist.succeed(dir, env, command).split("\n"))
                .filter(arg -> arg.startsWith("-Xmx") || arg.startsWith("-XX:MaxHeapSize="))
                .toList();
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            assertTrue(b >= 0, "the server closed the connection after: " + line);
            line.append((char) b);
        }
        return line.toString().stripTrailing();
    }
}
