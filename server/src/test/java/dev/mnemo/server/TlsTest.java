package dev.mnemo.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * TLS as memcached -Z serves it, driven by the JDK's SSLSocket: the text, meta and binary
 * protocols over TLS, a notls: listener beside a TLS one, a required client certificate
 * (ssl_verify_mode=2), refresh_certs, and the stats lines. Run against memcached 1.6.18 with
 * {@code -Dmnemo.it.memcached=true}: every test passes there except the ones that say they
 * check Mnemo only (what memcached counts differently).
 */
@Timeout(60)
class TlsTest {

    @TempDir
    Path dir;

    private TestCertificates certificates;
    private TestCertificates.Issued server;
    private Path chain;
    private Path key;

    private void makeCertificates() {
        certificates = TestCertificates.create(dir);
        server = certificates.issue("server", "localhost");
        chain = dir.resolve("current.crt");
        key = dir.resolve("current.key");
        copy(server, chain, key);
    }

    private static void copy(TestCertificates.Issued from, Path cert, Path key) {
        try {
            Files.copy(from.cert(), cert, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(from.key(), key, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return a server with TLS on its -p port; more flags after the TLS ones */
    private RunningServer startTls(String... flags) {
        List<String> args = new ArrayList<>(List.of("-Z", "-o", "ssl_chain_cert=" + chain + ",ssl_key=" + key));
        args.addAll(List.of(flags));
        return RunningServer.start(args.toArray(String[]::new));
    }

    private RawClient tlsClient(RunningServer running) throws IOException {
        return new RawClient(TestCertificates.connect(certificates.clientContext(null), running.port()));
    }

    @Test
    void textMetaAndBinaryOverTls() throws IOException {
        makeCertificates();
        try (RunningServer running = startTls(); RawClient client = tlsClient(running)) {
            client.exchange("set greeting 5 0 5\r\nhello\r\nget greeting\r\n", "STORED\r\nVALUE greeting 5 5\r\nhello\r\nEND\r\n");
            client.send("ms meta 2 T0\r\nhi\r\nmg meta v\r\nmn\r\n");
            client.expect("HD\r\nVA 2\r\nhi\r\nMN\r\n");
        }
        try (RunningServer running = startTls(); RawClient binary = tlsClient(running)) {
            byte[] noop = new byte[24];
            noop[0] = (byte) 0x80; // request magic
            noop[1] = 0x0a;        // NOOP
            binary.send(noop);
            byte[] reply = binary.read(24);
            assertEquals((byte) 0x81, reply[0], "response magic");
            assertEquals(0x0a, reply[1]);
            assertArrayEquals(new byte[] {0, 0}, new byte[] {reply[6], reply[7]}, "status: success");
        }
    }

    @Test
    void aNotlsListenerServesPlainTextBesideTheTlsOne() throws IOException {
        makeCertificates();
        int plainPort = RunningServer.againstMemcached() ? freePort() : 0; // Mnemo binds a free port for 0
        try (RunningServer running = startTls("-l", "127.0.0.1", "-l", "notls:127.0.0.1:" + plainPort);
             RawClient tls = tlsClient(running);
             RawClient plain = new RawClient(new InetSocketAddress("127.0.0.1",
                     plainPort != 0 ? plainPort : running.server().listenerPort(1)))) {
            tls.exchange("set shared 0 0 3\r\nabc\r\n", "STORED\r\n");
            plain.exchange("get shared\r\n", "VALUE shared 0 3\r\nabc\r\nEND\r\n");
        }
    }

    @Test
    void plainTextOnTheTlsPortGetsNoReplyAndIsClosed() throws IOException {
        makeCertificates();
        try (RunningServer running = startTls();
             Socket socket = new Socket("127.0.0.1", running.port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("version\r\n".getBytes(StandardCharsets.US_ASCII));
            try {
                byte[] reply = socket.getInputStream().readAllBytes();
                assertTrue(reply.length == 0 || reply[0] == 0x15, "nothing, or a TLS alert record: " + reply.length + " bytes");
            } catch (SocketException reset) {
                // memcached resets the connection: closed too
            }
            if (!RunningServer.againstMemcached()) { // memcached 1.6.18 does not count this one
                assertTrue(stat(running, "ssl_handshake_errors") >= 1);
            }
        }
    }

    @Test
    void verifyModeTwoRequiresAClientCertificateFromTheCa() throws IOException {
        makeCertificates();
        TestCertificates.Issued clientCert = certificates.issue("client", "mnemo-test-client");
        try (RunningServer running = startTls("-o", "ssl_verify_mode=2,ssl_ca_cert=" + certificates.caCert())) {
            try (RawClient client = new RawClient(TestCertificates.connect(certificates.clientContext(clientCert),
                    running.port()))) {
                client.send("version\r\n");
                assertTrue(client.readLine().startsWith("VERSION "));
            }
            SSLContext noCertificate = certificates.clientContext(null);
            assertThrows(IOException.class, () -> {
                // TLS 1.3: the client's side of the handshake may finish before the server's alert arrives
                try (SSLSocket socket = TestCertificates.connect(noCertificate, running.port())) {
                    socket.getOutputStream().write("version\r\n".getBytes(StandardCharsets.US_ASCII));
                    if (socket.getInputStream().read() < 0) {
                        throw new IOException("closed without a reply");
                    }
                }
            });
        }
    }

    @Test
    void refreshCertsServesTheNewCertificateToNewConnectionsAndKeepsOpenOnes() throws IOException {
        makeCertificates();
        TestCertificates.Issued renewed = certificates.issue("renewed", "renewed.localhost");
        try (RunningServer running = startTls(); RawClient open = tlsClient(running)) {
            open.exchange("set k 0 0 1\r\nv\r\n", "STORED\r\n");
            copy(renewed, chain, key);
            open.send("refresh_certs\r\n");
            open.expect("OK\r\n");
            open.exchange("get k\r\n", "VALUE k 0 1\r\nv\r\nEND\r\n");
            assertEquals("CN=renewed.localhost", serverSubject(running));

            Files.writeString(key, "not a key\n");
            open.send("refresh_certs\r\n");
            String failure = open.readLine();
            assertTrue(failure.startsWith("Error loading the key: " + key + " : "), failure);
            assertTrue(failure.endsWith("\r\n"));
            assertEquals("CN=renewed.localhost", serverSubject(running), "the old certificate stays");
            open.send("refresh_certs noreply\r\n");
            assertEquals(failure, open.readLine(), "noreply does not silence an error");
        }
    }

    @Test
    void refreshCertsWithoutTlsSaysSo() {
        try (RunningServer running = RunningServer.start(); RawClient client = running.connect()) {
            client.send("refresh_certs\r\n");
            client.expect("Error TLS not enabled\r\n");
        }
    }

    @Test
    void statsShowTheTlsCountersAndSettingsWhereMemcachedDoes() throws IOException {
        makeCertificates();
        try (RunningServer running = startTls("-o", "ssl_min_version=3,ssl_verify_mode=1");
             RawClient client = tlsClient(running)) {
            client.send("stats\r\n");
            List<String> stats = names(client);
            int watchers = stats.indexOf("log_watchers");
            assertEquals(List.of("ssl_handshake_errors", "time_since_server_cert_refresh"),
                    stats.subList(watchers + 1, watchers + 3));
            client.send("stats settings\r\n");
            List<String> settings = lines(client);
            int first = settings.indexOf("STAT ssl_enabled yes");
            assertTrue(first > 0, settings.toString());
            assertEquals(List.of("STAT ssl_enabled yes", "STAT ssl_chain_cert " + chain, "STAT ssl_key " + key,
                    "STAT ssl_verify_mode 1", "STAT ssl_keyformat 1", "STAT ssl_ciphers NULL", "STAT ssl_ca_cert NULL",
                    "STAT ssl_wbuf_size 16384", "STAT ssl_session_cache no", "STAT ssl_kernel_tls no",
                    "STAT ssl_min_version tlsv1.3"), settings.subList(first, first + 11));
        }
    }

    @Test
    void theSessionCacheAddsSslNewSessions() throws IOException {
        makeCertificates();
        try (RunningServer running = startTls("-o", "ssl_session_cache"); RawClient client = tlsClient(running)) {
            client.send("stats\r\n");
            List<String> stats = names(client);
            int watchers = stats.indexOf("log_watchers");
            assertEquals(List.of("ssl_new_sessions", "ssl_handshake_errors", "time_since_server_cert_refresh"),
                    stats.subList(watchers + 1, watchers + 4));
            assumeFalse(RunningServer.againstMemcached()); // memcached counts OpenSSL's session tickets: 2 per TLS 1.3 handshake
            assertEquals(2, stat(running, "ssl_new_sessions"), "this connection's and the one stat() opened");
        }
    }

    /** @return the subject of the certificate a new TLS connection is shown */
    private String serverSubject(RunningServer running) throws IOException {
        try (SSLSocket socket = TestCertificates.connect(certificates.clientContext(null), running.port())) {
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }

    /** @return one general stat, read over a new TLS connection */
    private long stat(RunningServer running, String name) throws IOException {
        try (RawClient client = tlsClient(running)) {
            client.send("stats\r\n");
            for (String line : lines(client)) {
                if (line.startsWith("STAT " + name + " ")) {
                    return Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        }
        throw new AssertionError("no stat " + name);
    }

    /** @return the lines of a stats reply up to END, without line ends */
    private static List<String> lines(RawClient client) {
        List<String> lines = new ArrayList<>();
        for (String line = client.readLine(); !line.equals("END\r\n"); line = client.readLine()) {
            lines.add(line.substring(0, line.length() - 2));
        }
        return lines;
    }

    private static List<String> names(RawClient client) {
        return lines(client).stream().map(line -> line.split(" ")[1]).toList();
    }

    private static int freePort() {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
