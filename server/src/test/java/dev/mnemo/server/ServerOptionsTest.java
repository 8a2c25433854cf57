package dev.mnemo.server;

import dev.mnemo.protocol.Settings;
import dev.mnemo.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line: memcached's flags, defaults, -I suffixes and refusals. */
class ServerOptionsTest {

    private static ServerOptions parse(String... args) {
        ServerOptions options = new ServerOptions();
        ServerOptions.commandLine(options).parseArgs(args);
        return options;
    }

    /** Runs the command and returns exit status and standard error; bad command lines return before starting. */
    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(status, out.toString(), err.toString());
    }

    private record Result(int status, String out, String err) {
    }

    @Test
    void defaultsAreMemcachedsExceptTheListenAddress() {
        ServerOptions options = parse();
        Settings settings = options.settings();
        assertEquals(new Settings(64L << 20, 1024, 11211, 0, "127.0.0.1", 4, 1 << 20, true, false), settings);
        assertEquals(0, options.verbosity());
        try (Store store = options.storeBuilder().open()) {
            assertEquals(64L << 20, store.memoryLimit());
            assertEquals(1 << 20, store.maxItemSize());
            assertTrue(store.casEnabled());
        }
    }

    @Test
    void shortFlags() {
        ServerOptions options = parse("-p", "22122", "-U", "0", "-l", "0.0.0.0", "-m", "128", "-c", "10", "-t", "2",
                "-I", "2m", "-A", "-C", "-vv");
        assertEquals(new Settings(128L << 20, 10, 22122, 0, "0.0.0.0", 2, 2 << 20, false, true), options.settings());
        assertEquals(2, options.verbosity());
        try (Store store = options.storeBuilder().open()) {
            assertFalse(store.casEnabled());
            assertEquals(2 << 20, store.maxItemSize());
        }
    }

    @Test
    void longFlags() {
        ServerOptions options = parse("--port=1234", "--udp-port=0", "--listen=::1", "--memory-limit=16",
                "--conn-limit=5", "--threads=1", "--max-item-size=4096", "--enable-shutdown", "--disable-cas", "--verbose");
        assertEquals(new Settings(16L << 20, 5, 1234, 0, "::1", 1, 4096, false, true), options.settings());
        assertEquals(1, options.verbosity());
    }

    /** -o idle_timeout=N, read as memcached 1.6.18 reads it (atoi), next to the TLS sub-options. */
    @ParameterizedTest
    @CsvSource({"idle_timeout=30, 30", "'ssl_session_cache,idle_timeout=5', 5", "idle_timeout=0, 0",
            "idle_timeout=-3, -3", "idle_timeout=x, 0", "idle_timeout=12s, 12", "'idle_timeout=1,idle_timeout=2', 2"})
    void idleTimeoutIsAnExtendedOption(String extended, int seconds) {
        ServerOptions options = parse("-o", extended);
        assertEquals(seconds, options.idleTimeoutSeconds());
        options.tls(); // the TLS parser accepts the line: idle_timeout is not an unknown sub-option
    }

    @Test
    void idleTimeoutDefaultsToNone() {
        assertEquals(0, parse().idleTimeoutSeconds());
    }

    @Test
    void idleTimeoutWithoutValueIsRefusedAsByMemcached() {
        Result result = run("-o", "idle_timeout");
        assertEquals(Main.EXIT_USAGE, result.status());
        assertTrue(result.err().contains("Missing numeric argument for idle_timeout"), result.err());
    }

    @ParameterizedTest
    @CsvSource({"1024, 1024", "1k, 1024", "1K, 1024", "64k, 65536", "1m, 1048576", "1M, 1048576", "32m, 33554432"})
    void maxItemSizeTakesKAndMSuffixes(String flag, int bytes) {
        assertEquals(bytes, parse("-I", flag).settings().maxItemSize());
    }

    @Test
    void udpPortAndTransport() {
        assertEquals("auto", parse().transport());
        ServerOptions options = parse("-U", "11311", "--transport", "io_uring");
        assertEquals(11311, options.settings().udpPort());
        assertEquals("io_uring", options.transport());
    }

    @Test
    void aLaterFlagOverridesAnEarlierOneAsInMemcached() {
        assertEquals(2345, parse("-p", "1234", "-p", "2345").settings().tcpPort());
    }

    @Test
    void maxItemSizeUpToOneGigabyteWithEnoughMemory() {
        assertEquals(1 << 30, parse("-m", "2048", "-I", "1024m").settings().maxItemSize());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "-I 1023 | Item max size cannot be less than 1024 bytes.",
            "-I 0 | Item max size cannot be less than 1024 bytes.",
            "-m 4096 -I 1025m | Cannot set item size limit higher than a gigabyte.",
            "-I 64m | Cannot set item size limit higher than 1/2 of memory max.",
            "-I abc | is not a size",
            "-I 2g | is not a size",
            "-I -1k | is not a size",
            "-t 0 | Number of threads must be greater than 0",
            "-c 0 | Maximum connections must be greater than 0",
            "-m 0 | Memory limit must be a positive number of megabytes",
            "-p 70000 | TCP port must be 0 to 65535",
            "-U 70000 | UDP port must be 0 to 65535",
            "-U 11211 -S | Cannot enable UDP while using binary SASL authentication.",
            "-U 11211 -Y /nonexistent/mnemo-auth | Cannot use UDP with ascii authentication enabled (-U 0 to disable)",
            "--transport fast | Invalid value for option '--transport': 'fast' is not one of auto, epoll, io_uring, nio",
            "-p abc | Invalid value for option '--port': 'abc' is not an int",
            "--bogus | Unknown option: '--bogus'",
            "-x | Unknown option: '-x'"})
    void badValuesExitNonZeroWithAMessage(String args, String message) {
        Result result = run(args.split(" "));
        assertEquals(Main.EXIT_USAGE, result.status());
        assertTrue(result.err().contains(message), result.err());
        assertTrue(result.err().contains("mnemo --help"), result.err());
    }

    @Test
    void helpAndVersion() {
        Result help = run("-h");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("--max-item-size"), help.out());
        assertTrue(help.out().contains("default: 127.0.0.1"), help.out());
        Result version = run("-V");
        assertEquals(0, version.status());
        assertEquals("mnemo " + MnemoServer.version(), version.out().strip());
        assertFalse(MnemoServer.version().contains("${"), MnemoServer.version());
    }

    @Test
    void authenticationNeedsAReadableAuthFile() {
        assertEquals(null, parse().authFile());
        Result noFile = run("-S", "-p", "0");
        assertEquals(Main.EXIT_USAGE, noFile.status());
        assertTrue(noFile.err().contains("-S needs --auth-file"), noFile.err());
        Result missing = run("-S", "-Y", "/nonexistent/mnemo-auth", "-p", "0");
        assertEquals(Main.EXIT_USAGE, missing.status());
        assertTrue(missing.err().contains("cannot read the auth file"), missing.err());
    }

    /** Opens the store the options ask for, without the background sweeper (the server drives sweeps). */
    private static Store open(String... args) {
        return parse(args).storeBuilder().sweepExpiredInBackground(false).open();
    }

    @Test
    void storeSettingsReachTheStore() {
        try (Store store = open("-m", "16", "-I", "2m", "-C")) {
            assertEquals(16L << 20, store.memoryLimit());
            assertEquals(2 << 20, store.maxItemSize());
            assertFalse(store.casEnabled());
            assertEquals(null, store.memoryFile(), "anonymous memory without -e");
        }
        try (Store store = open("-m", "8")) {
            assertTrue(store.casEnabled());
            assertEquals(1 << 20, store.maxItemSize());
        }
    }

    @Test
    void memoryFileFlags(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("m.mem");
        try (Store store = open("-m", "8", "-e", file.toString(), "--memory-file-mode", "0640")) {
            assertEquals(file, store.memoryFile());
        }
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertThrows(IllegalArgumentException.class, () -> open("-m", "16", "-e", file.toString()),
                "without --discard-memory-file a file made with another -m is refused");
        try (Store store = open("-m", "16", "-e", file.toString(), "--discard-memory-file")) {
            assertEquals(16L << 20, store.memoryLimit(), "--discard-memory-file reinitialises it");
        }
        Path defaults = dir.resolve("d.mem");
        open("-m", "8", "--memory-file=" + defaults).close();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(defaults)));
    }

    @Test
    void memoryFileModeMustBeOctalAndDiscardNeedsAFile() {
        Result badMode = run("-e", "/tmp/m.mem", "--memory-file-mode", "0900");
        assertEquals(Main.EXIT_USAGE, badMode.status());
        assertTrue(badMode.err().contains("--memory-file-mode must be an octal mode"), badMode.err());
        Result noFile = run("--discard-memory-file");
        assertEquals(Main.EXIT_USAGE, noFile.status());
        assertTrue(noFile.err().contains("--discard-memory-file needs --memory-file (-e)"), noFile.err());
    }

    @Test
    void minusDTakesTheFirstByteAndRefusesAnEmptyDelimiter() {
        assertEquals(null, parse().prefixDelimiter());
        assertEquals((byte) '/', parse("-D", "/x").prefixDelimiter());
        Result empty = run("-D", "");
        assertTrue(empty.err().contains("No delimiter specified"), empty.err());
        assertEquals(Main.EXIT_USAGE, empty.status());
    }
}
