package dev.mnemo.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * libmemcached's conformance checker, {@code memccapable -a} (Debian libmemcached-tools), against
 * a running server: every ascii test it runs must pass. Skipped only when the binary is missing;
 * ./run-tests installs it.
 */
class MemccapableTest {

    private static final Path MEMCCAPABLE = Path.of("/usr/bin/memccapable");

    @Test
    @Timeout(120)
    void everyAsciiTestPasses() throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(MEMCCAPABLE), "memccapable is not installed (apt-get install libmemcached-tools)");
        try (RunningServer server = RunningServer.start("-t", "2")) {
            Process process = new ProcessBuilder(MEMCCAPABLE.toString(), "-a", "-t", "5",
                    "-h", "127.0.0.1", "-p", Integer.toString(server.port()))
                    .redirectErrorStream(true)
                    .start();
            process.getOutputStream().close();
            boolean finished = process.waitFor(90, TimeUnit.SECONDS);
            if (!finished) {
                process.destroyForcibly();
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(finished, "memccapable did not finish:\n" + output);
            assertFalse(output.contains("[FAIL]"), output);
            assertTrue(output.contains("ascii stat") && output.contains("All tests passed"), output);
            assertEquals(0, process.exitValue(), output);
        }
    }
}
