package dev.mnemo.server;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A test CA and the certificates it issues, made at test time with {@code openssl} (EC P-256
 * keys, PKCS#8 PEM, valid two days) in a directory of the test's; nothing is committed. The
 * files are world-readable, so a memcached that dropped to user nobody can reload them.
 */
final class TestCertificates {

    private final Path dir;
    private final Path caCert;
    private final Path caKey;

    /** A certificate file and its key file. */
    record Issued(Path cert, Path key) {
    }

    private TestCertificates(Path dir) {
        this.dir = dir;
        this.caCert = dir.resolve("ca.crt");
        this.caKey = dir.resolve("ca.key");
    }

    /**
     * Makes a CA in {@code dir}; skips the test where openssl is not installed.
     *
     * @param dir an empty directory
     */
    static TestCertificates create(Path dir) {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed");
        TestCertificates certificates = new TestCertificates(dir);
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        certificates.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-days", "2", "-subj", "/CN=mnemo-test-ca", "-keyout", certificates.caKey.toString(),
                "-out", certificates.caCert.toString());
        return certificates;
    }

    /** @return the CA's certificate file (for ssl_ca_cert) */
    Path caCert() {
        return caCert;
    }

    /**
     * @param name the files' base name in the directory
     * @param commonName the certificate's subject CN
     * @return a certificate for {@code commonName} signed by the CA, and its key
     */
    Issued issue(String name, String commonName) {
        Path key = dir.resolve(name + ".key");
        Path request = dir.resolve(name + ".csr");
        Path cert = dir.resolve(name + ".crt");
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj",
                "/CN=" + commonName, "-keyout", key.toString(), "-out", request.toString());
        openssl("x509", "-req", "-in", request.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-days", "2", "-out", cert.toString());
        return new Issued(cert, key);
    }

    /** Runs openssl with the arguments, failing on a non-zero exit; makes the files it wrote world-readable. */
    void openssl(String... args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("openssl.log").toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(command + " failed: " + Files.readString(dir.resolve("openssl.log")));
            }
            try (var files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param client the client's certificate and key to present, or null for none
     * @return a client TLS context that trusts the CA
     */
    SSLContext clientContext(Issued client) {
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("ca", TlsFiles.certificates(caCert).getFirst());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            KeyManagerFactory keys = null;
            if (client != null) {
                char[] password = "test".toCharArray();
                KeyStore own = KeyStore.getInstance("PKCS12");
                own.load(null, null);
                own.setKeyEntry("client", TlsFiles.privateKey(client.key(), TlsOptions.KEY_FORMAT_PEM), password,
                        TlsFiles.certificates(client.cert()).toArray(Certificate[]::new));
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(own, password);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @return a TLS socket to 127.0.0.1:port, its handshake done, with a 5 s read timeout
     * @throws IOException if the connection or the handshake fails
     */
    static SSLSocket connect(SSLContext context, int port) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(5000);
        socket.startHandshake();
        return socket;
    }
}
