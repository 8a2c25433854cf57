package dev.mnemo.dist;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A server started by a packaged script (bin/mnemo, the container's entrypoint) with -p 0: waits
 * for its start line to learn the port, talks to it, stops it with SIGTERM. Not thread-safe.
 */
final class RunningMnemo implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on [^ ]+:(\\d+) ");

    private final Process process;
    private final Path log;
    private final int port;

    /**
     * @param dir     the working directory, and where the log goes (mnemo.log)
     * @param env     variables added to the environment
     * @param command the script and its arguments, which must include -p 0
     */
    RunningMnemo(Path dir, Map<String, String> env, String... command) throws IOException {
        log = dir.resolve("mnemo.log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        process = builder.start();
        port = awaitPort();
    }

    private int awaitPort() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && process.isAlive()) {
            Matcher matcher = LISTENING.matcher(Files.readString(log));
            if (matcher.find()) {
                return Integer.parseInt(matcher.group(1));
            }
            Thread.onSpinWait();
        }
        process.destroyForcibly();
        return fail("the server did not log its start: " + Files.readString(log));
    }

    /** The TCP port the server listens on. */
    int port() {
        return port;
    }

    /** Sends "version" and returns the reply line, without its CRLF. */
    String version() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write("version\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            StringBuilder reply = new StringBuilder();
            for (int b = in.read(); b != '\n' && b >= 0; b = in.read()) {
                reply.append((char) b);
            }
            assertTrue(reply.toString().endsWith("\r"), "no CRLF: " + reply);
            return reply.substring(0, reply.length() - 1);
        }
    }

    /** Stops the server with SIGTERM and checks it stopped cleanly (status 0, as memcached; "mnemo stopped" logged). */
    void stop() throws IOException, InterruptedException {
        process.destroy();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the server did not stop on SIGTERM");
        List<String> lines = Files.readAllLines(log);
        assertEquals(0, process.exitValue(), "a clean stop: " + lines);
        assertTrue(lines.getLast().endsWith("mnemo stopped"), lines.toString());
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
