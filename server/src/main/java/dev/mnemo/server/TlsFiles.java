package dev.mnemo.server;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Reads the files memcached's TLS options name: PEM certificate chains and CA files, and private
 * keys in PEM or DER, PKCS#8 or (RSA only) PKCS#1, unencrypted. Each method throws an
 * {@link IOException} whose message is the reason alone (e.g. "No such file or directory",
 * "key values mismatch"), for the caller to put after the file name as memcached does.
 * Stateless and thread-safe.
 */
final class TlsFiles {

    private static final String BEGIN = "-----BEGIN ";
    private static final String END = "-----END ";
    /** The key types tried, in order, for a PKCS#8 key. */
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS");

    private TlsFiles() {
    }

    /**
     * @param file a PEM file holding one or more certificates (other blocks, such as a key, are skipped)
     * @return its certificates, in file order: for a chain, the server's own first
     * @throws IOException if the file cannot be read, holds no certificate, or one does not parse
     */
    static List<X509Certificate> certificates(Path file) throws IOException {
        List<byte[]> blocks = pemBlocks(read(file), "CERTIFICATE");
        if (blocks.isEmpty()) {
            throw new IOException("no certificate (no \"" + BEGIN + "CERTIFICATE-----\" line)");
        }
        List<X509Certificate> result = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (byte[] der : blocks) {
                result.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (CertificateException e) {
            throw new IOException("bad certificate: " + e.getMessage(), e);
        }
        return result;
    }

    /**
     * @param file   the key file
     * @param format {@link TlsOptions#KEY_FORMAT_PEM} or {@link TlsOptions#KEY_FORMAT_DER}
     * @return the private key
     * @throws IOException if the file cannot be read, is encrypted, or holds no key this reads
     */
    static PrivateKey privateKey(Path file, int format) throws IOException {
        byte[] bytes = read(file);
        byte[] der;
        boolean pkcs1;
        if (format == TlsOptions.KEY_FORMAT_DER) {
            der = bytes;
            pkcs1 = false;
        } else if (format == TlsOptions.KEY_FORMAT_PEM) {
            List<byte[]> pkcs8 = pemBlocks(bytes, "PRIVATE KEY");
            List<byte[]> rsa = pemBlocks(bytes, "RSA PRIVATE KEY");
            if (!pkcs8.isEmpty()) {
                der = pkcs8.getFirst();
                pkcs1 = false;
            } else if (!rsa.isEmpty()) {
                der = rsa.getFirst();
                pkcs1 = true;
            } else if (!pemBlocks(bytes, "ENCRYPTED PRIVATE KEY").isEmpty()) {
                throw new IOException("encrypted keys are not supported (decrypt it: openssl pkcs8 -topk8 -nocrypt)");
            } else {
                throw new IOException("no private key (no \"" + BEGIN + "PRIVATE KEY-----\" or \"" + BEGIN
                        + "RSA PRIVATE KEY-----\" line; convert others with openssl pkcs8 -topk8 -nocrypt)");
            }
        } else {
            throw new IOException("unsupported ssl_keyformat " + format + " (1 PEM, 2 DER)");
        }
        PrivateKey key = pkcs1 ? null : decode(der);
        if (key == null) {
            key = decode(wrapPkcs1(der)); // a PKCS#1 RSA key, or a DER file that holds one
        }
        if (key == null) {
            throw new IOException("not a private key Mnemo can read (PKCS#8, or PKCS#1 RSA)");
        }
        return key;
    }

    /**
     * Checks that {@code key} belongs to {@code certificate}, by signing a few bytes with the key
     * and verifying them with the certificate's public key.
     *
     * @throws IOException "key values mismatch" (OpenSSL's words) if it does not
     */
    static void checkPair(PrivateKey key, X509Certificate certificate) throws IOException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) {
            return; // RSASSA-PSS and others: the handshake itself will fail if they do not match
        }
        byte[] probe = "mnemo key check".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            if (!verifier.verify(signature)) {
                throw new IOException("key values mismatch");
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("key values mismatch (" + e.getMessage() + ")", e);
        }
    }

    /** @return the file's bytes; an exception whose message is the reason, as strerror says it */
    private static byte[] read(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException("No such file or directory", e);
        } catch (AccessDeniedException e) {
            throw new IOException("Permission denied", e);
        }
    }

    /** @return the DER bytes of every PEM block of the given type ("CERTIFICATE", "PRIVATE KEY", ...) */
    private static List<byte[]> pemBlocks(byte[] file, String type) throws IOException {
        String text = new String(file, StandardCharsets.ISO_8859_1);
        String begin = BEGIN + type + "-----";
        String end = END + type + "-----";
        List<byte[]> blocks = new ArrayList<>();
        int from = 0;
        while ((from = text.indexOf(begin, from)) >= 0) {
            int bodyStart = from + begin.length();
            int bodyEnd = text.indexOf(end, bodyStart);
            if (bodyEnd < 0) {
                throw new IOException("no \"" + end + "\" line");
            }
            try {
                blocks.add(Base64.getMimeDecoder().decode(text.substring(bodyStart, bodyEnd)));
            } catch (IllegalArgumentException e) {
                throw new IOException("bad base64 in a " + type + " block", e);
            }
            from = bodyEnd + end.length();
        }
        return blocks;
    }

    /** @return the PKCS#8 key in {@code der}, of the first type that accepts it, or null */
    private static PrivateKey decode(byte[] der) {
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException | RuntimeException notThisType) {
                // next type
            }
        }
        return null;
    }

    /**
     * @param pkcs1 a DER RSAPrivateKey (PKCS#1)
     * @return the same key as a DER PKCS#8 PrivateKeyInfo: version 0, the rsaEncryption
     *         algorithm, and the PKCS#1 bytes as an octet string
     */
    private static byte[] wrapPkcs1(byte[] pkcs1) {
        byte[] versionAndAlgorithm = {
                0x02, 0x01, 0x00, // INTEGER 0
                0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01,
                0x05, 0x00}; // SEQUENCE { OID 1.2.840.113549.1.1.1, NULL }
        byte[] octets = derElement(0x04, pkcs1);
        byte[] body = new byte[versionAndAlgorithm.length + octets.length];
        System.arraycopy(versionAndAlgorithm, 0, body, 0, versionAndAlgorithm.length);
        System.arraycopy(octets, 0, body, versionAndAlgorithm.length, octets.length);
        return derElement(0x30, body);
    }

    /** @return a DER element: the tag, the definite length, then the content */
    private static byte[] derElement(int tag, byte[] content) {
        int length = content.length;
        int lengthBytes = length < 0x80 ? 0 : length < 0x100 ? 1 : length < 0x10000 ? 2 : 3;
        byte[] element = new byte[2 + lengthBytes + length];
        element[0] = (byte) tag;
        if (lengthBytes == 0) {
            element[1] = (byte) length;
        } else {
            element[1] = (byte) (0x80 | lengthBytes);
            for (int i = 0; i < lengthBytes; i++) {
                element[2 + i] = (byte) (length >>> (8 * (lengthBytes - 1 - i)));
            }
        }
        System.arraycopy(content, 0, element, 2 + lengthBytes, length);
        return element;
    }
}
