package dev.mnemo.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Certificate and key files as openssl writes them: PEM and DER, PKCS#8 and PKCS#1, and the reasons for refusals. */
class TlsFilesTest {

    @Test
    void readsPkcs8PemPkcs1PemAndDerKeysAndChecksThemAgainstTheCertificate(@TempDir Path dir) throws IOException {
        TestCertificates certificates = TestCertificates.create(dir);
        TestCertificates.Issued ec = certificates.issue("ec", "localhost");
        PrivateKey ecKey = TlsFiles.privateKey(ec.key(), TlsOptions.KEY_FORMAT_PEM);
        assertEquals("EC", ecKey.getAlgorithm());
        TlsFiles.checkPair(ecKey, TlsFiles.certificates(ec.cert()).getFirst());

        Path rsaPkcs1 = dir.resolve("rsa1.key");
        certificates.openssl("genrsa", "-traditional", "-out", rsaPkcs1.toString(), "2048");
        assertTrue(Files.readString(rsaPkcs1).contains("BEGIN RSA PRIVATE KEY"));
        Path rsaCert = dir.resolve("rsa.crt");
        certificates.openssl("req", "-x509", "-key", rsaPkcs1.toString(), "-subj", "/CN=rsa", "-days", "2",
                "-out", rsaCert.toString());
        PrivateKey rsa = TlsFiles.privateKey(rsaPkcs1, TlsOptions.KEY_FORMAT_PEM);
        TlsFiles.checkPair(rsa, TlsFiles.certificates(rsaCert).getFirst());

        Path der = dir.resolve("rsa.der");
        certificates.openssl("pkcs8", "-topk8", "-nocrypt", "-in", rsaPkcs1.toString(), "-outform", "DER",
                "-out", der.toString());
        assertEquals(rsa, TlsFiles.privateKey(der, TlsOptions.KEY_FORMAT_DER));

        IOException mismatch = assertThrows(IOException.class,
                () -> TlsFiles.checkPair(rsa, TlsFiles.certificates(ec.cert()).getFirst()));
        assertTrue(mismatch.getMessage().startsWith("key values mismatch"), mismatch.getMessage());
    }

    @Test
    void refusalsSayWhy(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("missing.pem");
        assertEquals("No such file or directory",
                assertThrows(IOException.class, () -> TlsFiles.certificates(missing)).getMessage());
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not pem\n");
        assertTrue(assertThrows(IOException.class, () -> TlsFiles.certificates(garbage)).getMessage()
                .startsWith("no certificate"));
        assertTrue(assertThrows(IOException.class, () -> TlsFiles.privateKey(garbage, TlsOptions.KEY_FORMAT_PEM))
                .getMessage().startsWith("no private key"));
        assertTrue(assertThrows(IOException.class, () -> TlsFiles.privateKey(garbage, 3))
                .getMessage().startsWith("unsupported ssl_keyformat 3"));
    }
}
