package dev.mnemo.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Starting with TLS: a certificate, key or CA file that cannot be loaded refuses to start with
 * memcached's message and exit status 64 (checked against memcached -Z with
 * {@code -Dmnemo.it.memcached=true}); SIGHUP reloads the certificate of a running server.
 */
@Timeout(60)
class TlsStartupTest {

    private static final Pattern STARTED = Pattern.compile(".*listening on 127\\.0\\.0\\.1:(\\d+) TLS .*");

    @TempDir
    Path dir;

    @Test
    void filesThatCannotBeLoadedRefuseToStart() throws Exception {
        TestCertificates certificates = TestCertificates.create(dir);
        TestCertificates.Issued server = certificates.issue("server", "localhost");
        TestCertificates.Issued other = certificates.issue("other", "other");
        Path missing = dir.resolve("missing.pem");
        assertRefused("Error loading the certificate chain: " + missing + " : ",
                "ssl_chain_cert=" + missing + ",ssl_key=" + server.key());
        assertRefused("Error loading the key: " + missing + " : ",
                "ssl_chain_cert=" + server.cert() + ",ssl_key=" + missing);
        assertRefused("Error loading the key: " + other.key() + " : ",
                "ssl_chain_cert=" + server.cert() + ",ssl_key=" + other.key());
        assertRefused("Error loading the CA certificate: " + missing + " : ",
                "ssl_chain_cert=" + server.cert() + ",ssl_key=" + server.key() + ",ssl_ca_cert=" + missing);
    }

    /** Starts with -Z -o {@code suboptions} and asserts exit status 64 with a message starting with {@code message}. */
    private static void assertRefused(String message, String suboptions) throws Exception {
        String[] args = {"-p", "0", "-Z", "-o", suboptions};
        if (RunningServer.againstMemcached()) {
            List<String> command = new ArrayList<>(List.of("memcached", "-u", "nobody", "-U", "0", "-l", "127.0.0.1"));
            command.addAll(List.of(args));
            command.set(command.indexOf("-p") + 1, "11299"); // memcached refuses TLS without a TCP port
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            assertTrue(process.waitFor(10, TimeUnit.SECONDS));
            assertEquals(64, process.exitValue(), output);
            assertTrue(output.contains(message), output);
            return;
        }
        StringWriter err = new StringWriter();
        int status = Main.run(args, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertEquals(64, status, err.toString());
        assertTrue(err.toString().startsWith("mnemo: " + message), err.toString());
    }

    @Test
    void sighupReloadsTheCertificate() throws Exception {
        assumeFalse(RunningServer.againstMemcached(), "memcached reloads on refresh_certs only");
        TestCertificates certificates = TestCertificates.create(dir);
        TestCertificates.Issued first = certificates.issue("first", "first.localhost");
        TestCertificates.Issued renewed = certificates.issue("renewed", "renewed.localhost");
        Path chain = dir.resolve("current.crt");
        Path key = dir.resolve("current.key");
        Files.copy(first.cert(), chain);
        Files.copy(first.key(), key);
        Path log = dir.resolve("mnemo.log");
        String java = ProcessHandle.current().info().command().orElseThrow();
        // env --default-signal: a build run under nohup hands SIGHUP down ignored (see MainProcessTest)
        Process process = new ProcessBuilder("env", "--default-signal=HUP", java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "-p", "0", "-m", "16", "-t", "1",
                "-Z", "-o", "ssl_chain_cert=" + chain + ",ssl_key=" + key)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            int port = awaitLine(log, process, STARTED);
            assertEquals("CN=first.localhost", subject(certificates, port));
            Files.copy(renewed.cert(), chain, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(renewed.key(), key, StandardCopyOption.REPLACE_EXISTING);
            new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start().waitFor();
            awaitLine(log, process, Pattern.compile(".*reloaded the TLS certificate.*()"));
            assertEquals("CN=renewed.localhost", subject(certificates, port));
        } finally {
            process.destroyForcibly();
        }
    }

    private static String subject(TestCertificates certificates, int port) throws IOException {
        try (SSLSocket socket = TestCertificates.connect(certificates.clientContext(null), port)) {
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }

    /** Waits for a log line matching {@code pattern} and returns its first group as a number (0 if empty). */
    private static int awaitLine(Path log, Process process, Pattern pattern) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            for (String line : Files.readAllLines(log)) {
                Matcher matcher = pattern.matcher(line);
                if (matcher.matches()) {
                    return matcher.group(1).isEmpty() ? 0 : Integer.parseInt(matcher.group(1));
                }
            }
            if (System.nanoTime() > deadline || !process.isAlive()) {
                fail("no log line " + pattern + ": " + Files.readAllLines(log));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
