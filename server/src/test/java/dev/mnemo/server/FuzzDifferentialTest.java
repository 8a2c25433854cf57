package dev.mnemo.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The text and meta fuzz targets' differential oracle (issue 16): the committed corpus of
 * {@code TextFuzzTest} and {@code MetaFuzzTest} and 400 inputs generated from the commands'
 * grammar go, each on a new connection and in one write followed by a half-close, to Mnemo and
 * to the Debian memcached 1.6.18 started here on a free port; both must answer the same bytes
 * before closing, except that where the input ends inside a request memcached's reply may be a
 * prefix of Mnemo's (memcached drops the replies it has not sent yet when it reads the close;
 * Mnemo sends them). Skipped when {@value #MEMCACHED} is absent.
 *
 * <p>Masked, as they legitimately differ: the VERSION string, CAS uniques (gets' fifth token,
 * meta's c flag), TTLs and last-access times (meta t, l). Left out, as intended differences
 * (README "Migrating from memcached"): inputs with stats, lru_crawler, slabs, cache_memlimit,
 * watch, shutdown, verbosity (it would make the server log every later line) and me (values and dumps differ; stats names are compared by their own
 * tests), Mnemo's meta additions (E and x, which its flag pre-parse accepts on every meta command, and ms N
 * with mode A or P), a data block over the item
 * size limit (Mnemo answers SERVER_ERROR as the line arrives, memcached after the block: here,
 * with the client half-closing first, not at all), a get, gets, gat or gats with a key over
 * 250 bytes after other commands in one read (memcached 1.6.18 then drops the earlier replies
 * it has not sent yet), and the binary
 * protocol (memcached answers some errors after a body Mnemo skips; README).
 */
@Timeout(180)
class FuzzDifferentialTest {

    private static final String MEMCACHED = "/usr/bin/memcached";
    private static final byte[] FLUSH = "flush_all\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final Path CORPUS = Path.of("..", "protocol", "src", "test", "resources", "dev", "mnemo", "protocol");
    /** Replies of commands whose values, not grammar, differ between the servers. */
    private static final Pattern LEFT_OUT = Pattern.compile("(?d)(^|\\n)(stats|lru_crawler|slabs|cache_memlimit|watch|shutdown|verbosity|me )"
            // Mnemo's meta additions: E, md x, ms N with mode A or P (README "Meta commands")
            // (Mnemo's flag pre-parse accepts E and x on every meta command, where 1.6.18 answers "invalid flag")
            + "|(?d)(^|\\n)m[sgad] [^\\n]* [Ex]|(?d)(^|\\n)ms [^\\n]* N[^\\n]* M[AaPp]"
            // a data block over the item size limit: Mnemo answers SERVER_ERROR at once, memcached after the block
            // arrives (so not at all when the client half-closes first, as here)
            + "|(?d)(^|\\n)((set|add|replace|append|prepend|cas) \\S+ \\S+ \\S+|ms \\S+) [0-9]{7}"
            // a retrieval command with a key over 250 bytes after other commands in the same read: memcached
            // 1.6.18 drops the replies it had not sent yet (its get error path releases the stacked responses)
            + "|(?d)\\n(get|gets|gat \\S+|gats \\S+)( \\S{1,250})* \\S{251}");
    private static final Pattern[] MASKED = {
            Pattern.compile("(?m)(?<=^VERSION ).*"),
            Pattern.compile("(?m)(?<=^VALUE \\S{1,250} [0-9]{1,10} [0-9]{1,10} )[0-9]+")};
    /** A meta reply line's CAS unique, TTL and last-access flags. */
    private static final Pattern META_LINE = Pattern.compile("(?md)^(HD|VA [0-9]+|EN|NS|EX|NF)( [^\\r\\n]*)?\\r$");
    private static final Pattern META_MASKED = Pattern.compile("(?<= )(c|t|l)-?[0-9]+");

    @Test
    void sameRepliesAsMemcached() throws Exception {
        assumeTrue(Files.isExecutable(Path.of(MEMCACHED)), "memcached is not installed");
        List<byte[]> inputs = new ArrayList<>();
        for (String dir : List.of("TextFuzzTestInputs/text", "MetaFuzzTestInputs/meta")) {
            try (Stream<Path> files = Files.list(CORPUS.resolve(dir))) {
                for (Path file : files.sorted().toList()) {
                    byte[] input = Files.readAllBytes(file);
                    inputs.add(Arrays.copyOf(input, Math.max(0, input.length - 8))); // less the read-length seed
                }
            }
        }
        Random random = new Random(16);
        for (int i = 0; i < 400; i++) {
            inputs.add(generated(random));
        }
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Process memcached = new ProcessBuilder(MEMCACHED, "-u", "nobody", "-U", "0", "-l", "127.0.0.1",
                "-p", Integer.toString(port), "-m", "32").redirectErrorStream(true).start();
        List<String> differences = new ArrayList<>();
        int compared = 0;
        try (RunningServer mnemo = RunningServer.start("-m", "32")) {
            awaitListening(port);
            for (byte[] input : inputs) {
                String text = new String(input, StandardCharsets.ISO_8859_1);
                if (input.length == 0 || LEFT_OUT.matcher(text).find()) {
                    continue;
                }
                compared++;
                exchange(port, FLUSH); // each input starts from an empty cache on both
                exchange(mnemo.port(), FLUSH);
                String expected = mask(exchange(port, input));
                String actual = mask(exchange(mnemo.port(), input));
                // the input ends inside a request: memcached drops the replies not yet sent when it sees the close
                boolean cutShort = expected.length() < actual.length() && actual.startsWith(expected);
                if (!expected.equals(actual) && !cutShort) {
                    differences.add(printable(text) + "\n  memcached: " + printable(expected) + "\n  mnemo:     " + printable(actual));
                }
            }
        } finally {
            memcached.destroy();
            memcached.waitFor(5, TimeUnit.SECONDS);
        }
        if (!differences.isEmpty()) {
            fail(differences.size() + " of " + compared + " inputs answered differently:\n"
                    + String.join("\n", differences.subList(0, Math.min(10, differences.size()))));
        }
        assertTrue(compared >= 400, "compared only " + compared + " inputs");
    }

    /** A random sequence of 1–8 text or meta commands over a few keys, well-formed or slightly not. */
    private static byte[] generated(Random random) {
        String[] keys = {"a", "b", "n", "k" + random.nextInt(3), "x".repeat(250), "x".repeat(251)};
        String[] exptimes = {"0", "0", "-1", "1000", "abc", "4294967296"};
        StringBuilder s = new StringBuilder();
        int commands = 1 + random.nextInt(8);
        for (int c = 0; c < commands; c++) {
            String key = keys[random.nextInt(keys.length)];
            String noreply = random.nextInt(6) == 0 ? " noreply" : "";
            String value = random.nextBoolean() ? "1" + random.nextInt(100) : "v".repeat(random.nextInt(20));
            int length = random.nextInt(8) == 0 ? value.length() + random.nextInt(3) - 1 : value.length();
            String flags = random.nextInt(5) == 0 ? "4294967295" : Integer.toString(random.nextInt(10));
            s.append(switch (random.nextInt(16)) {
                case 0, 1 -> "set " + key + " " + flags + " " + exptimes[random.nextInt(exptimes.length)] + " " + length + noreply
                        + "\r\n" + value + "\r\n";
                case 2 -> (random.nextBoolean() ? "add " : "replace ") + key + " " + flags + " 0 " + length + noreply + "\r\n"
                        + value + "\r\n";
                case 3 -> (random.nextBoolean() ? "append " : "prepend ") + key + " 0 0 " + length + noreply + "\r\n" + value + "\r\n";
                case 4 -> "cas " + key + " 0 0 " + length + " " + (random.nextBoolean() ? "987654321" : "x") + noreply + "\r\n"
                        + value + "\r\n";
                case 5 -> (random.nextBoolean() ? "get " : "gets ") + key + (random.nextBoolean() ? " a b" : "") + "\r\n";
                case 6 -> (random.nextBoolean() ? "incr " : "decr ") + key + " "
                        + (random.nextBoolean() ? Integer.toString(random.nextInt(1000)) : "18446744073709551615") + noreply + "\r\n";
                case 7 -> "delete " + key + (random.nextBoolean() ? " 0" : "") + noreply + "\r\n";
                case 8 -> "touch " + key + " " + exptimes[random.nextInt(exptimes.length)] + noreply + "\r\n";
                case 9 -> "gat " + exptimes[random.nextInt(exptimes.length)] + " " + key + "\r\n";
                case 10 -> "ms " + key + " " + length + (random.nextBoolean() ? " T0 F" + flags : " I") + (random.nextBoolean() ? " q" : "")
                        + "\r\n" + value + "\r\n";
                case 11 -> "mg " + key + (random.nextBoolean() ? " v f k s O7" : " q v") + (random.nextBoolean() ? " N30" : "") + "\r\n";
                case 12 -> "md " + key + (random.nextBoolean() ? " q" : "") + (random.nextBoolean() ? " I T30" : "") + "\r\n";
                case 13 -> "ma " + key + (random.nextBoolean() ? " N0 J5 v" : " MD D3 v") + (random.nextBoolean() ? " q" : "") + "\r\n";
                case 14 -> random.nextBoolean() ? "mn\r\n" : "version\r\n";
                default -> random.nextBoolean() ? "bogus " + key + "\r\n" : "flush_all" + noreply + "\r\n";
            });
        }
        return s.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Sends the input in one write, half-closes, and returns everything the server sent before it closed. */
    private static String exchange(int port, byte[] input) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(input);
            socket.getOutputStream().flush();
            socket.shutdownOutput();
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    reply.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException e) {
                reply.writeBytes("<no close within 5 s>".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException reset) {
                reply.writeBytes("<reset>".getBytes(StandardCharsets.US_ASCII));
            }
            return reply.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static String mask(String reply) {
        for (Pattern p : MASKED) {
            reply = p.matcher(reply).replaceAll("*");
        }
        return META_LINE.matcher(reply).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(
                META_MASKED.matcher(m.group()).replaceAll(f -> f.group(1) + "*")));
    }

    private static String printable(String s) {
        String shown = s.length() > 600 ? s.substring(0, 600) + "…" : s;
        return shown.replace("\r", "\\r").replace("\n", "\\n");
    }

    private static void awaitListening(int port) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new UncheckedIOException(notYet);
                }
                Thread.onSpinWait();
            }
        }
    }
}
