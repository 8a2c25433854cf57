package dev.mnemo.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * libmemcached's conformance checker, {@code memccapable} (Debian libmemcached-tools), against
 * a running server: with {@code -a} its ascii tests, and with no mode flag its binary and ascii
 * tests; every test it runs must pass. Skipped only when the binary is missing; ./run-tests
 * installs it.
 */
class MemccapableTest {

    private static final Path MEMCCAPABLE = Path.of("/usr/bin/memccapable");

    @Test
    @Timeout(120)
    void everyAsciiTestPasses() throws IOException, InterruptedException {
        String output = run("-a");
        assertTrue(output.contains("ascii stat") && output.contains("All tests passed"), output);
    }

    @Test
    @Timeout(120)
    void everyBinaryAndAsciiTestPasses() throws IOException, InterruptedException {
        String output = run();
        assertTrue(output.contains("binary stat") && output.contains("ascii stat") && output.contains("All tests passed"),
                output);
    }

    /** @return memccapable's output, after checking that it finished, failed nothing and exited 0 */
    private static String run(String... mode) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(MEMCCAPABLE), "memccapable is not installed (apt-get install libmemcached-tools)");
        try (RunningServer server = RunningServer.start("-t", "2")) {
            List<String> command = new ArrayList<>(List.of(MEMCCAPABLE.toString()));
            command.addAll(List.of(mode));
            command.addAll(List.of("-t", "5", "-h", "127.0.0.1", "-p", Integer.toString(server.port())));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            boolean finished = process.waitFor(90, TimeUnit.SECONDS);
            if (!finished) {
                process.destroyForcibly();
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(finished, "memccapable did not finish:\n" + output);
            assertFalse(output.contains("[FAIL]"), output);
            assertEquals(0, process.exitValue(), output);
            return output;
        }
    }
}
