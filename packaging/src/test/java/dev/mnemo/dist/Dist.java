package dev.mnemo.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the packaging tests share: where the build put the archive (system properties set by the
 * module's pom), unpacking it, and running a command to completion. Not thread-safe; each test
 * uses its own temporary directories.
 */
final class Dist {

    /** target/mnemo-VERSION.tar.gz, built in the package phase before these tests run. */
    static final Path ARCHIVE = Path.of(System.getProperty("mnemo.dist.archive"));
    /** The packaging module's directory (bin/, conf/, docker/, systemd/). */
    static final Path PACKAGING = Path.of(System.getProperty("mnemo.dist.packaging"));
    /** The project version, as bin/mnemo --version prints it. */
    static final String VERSION = System.getProperty("mnemo.dist.version");
    /** The JDK running the tests (25 or newer), handed to the launcher as JAVA_HOME. */
    static final String JAVA_HOME = System.getProperty("java.home");

    private Dist() {
    }

    /** The output and exit status of a finished command. */
    record Result(int status, String output) {
    }

    /**
     * Runs a command to completion (at most 60 s), standard error merged into the output.
     *
     * @param dir the working directory
     * @param env variables added to this process's environment
     */
    static Result run(Path dir, Map<String, String> env, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "still running: " + List.of(command));
        return new Result(process.exitValue(), new String(output));
    }

    /** Runs a command that must succeed; returns its output. */
    static String succeed(Path dir, Map<String, String> env, String... command) throws IOException, InterruptedException {
        Result result = run(dir, env, command);
        assertEquals(0, result.status(), List.of(command) + " failed: " + result.output());
        return result.output();
    }

    /** Unpacks the archive into dir with tar, as an operator would; returns mnemo-VERSION/ inside it. */
    static Path unpack(Path dir) throws IOException, InterruptedException {
        succeed(dir, Map.of(), "tar", "-xzf", ARCHIVE.toString());
        Path home = dir.resolve("mnemo-" + VERSION);
        assertTrue(Files.isDirectory(home), "the archive has no mnemo-" + VERSION + "/");
        return home;
    }

    /** The archive's entries, without the leading mnemo-VERSION/. */
    static List<String> entries() throws IOException, InterruptedException {
        List<String> entries = new ArrayList<>();
        for (String line : succeed(PACKAGING, Map.of(), "tar", "-tzf", ARCHIVE.toString()).split("\n")) {
            entries.add(line.substring(line.indexOf('/') + 1));
        }
        return entries;
    }
}
