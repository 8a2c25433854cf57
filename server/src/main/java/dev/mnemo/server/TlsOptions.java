package dev.mnemo.server;

import java.util.List;
import java.util.Map;

/**
 * memcached's TLS settings: {@code -Z} and the {@code ssl_*} sub-options of {@code -o}
 * ("comma separated list of extended options", memcached -h), with memcached 1.6.18's names,
 * defaults and error messages. Mnemo knows no other {@code -o} sub-option: any other is refused
 * as memcached refuses an unknown one ({@code Illegal suboption "<text>"}). Immutable.
 *
 * @param enabled       {@code -Z}: serve TLS on every listener not marked {@code notls:}
 * @param chainCert     [ssl_chain_cert] the server's certificate chain, PEM; null if not given
 * @param key           [ssl_key] the server's private key (PKCS#8, or PKCS#1 RSA); null if not given
 * @param keyFormat     [ssl_keyformat] OpenSSL's file type: 1 PEM (the default), 2 DER
 * @param verifyMode    [ssl_verify_mode] client certificate: 0 none, 1 request, 2 require, 3 once
 *                      (require; the difference is renegotiation, which Mnemo never does)
 * @param caCert        [ssl_ca_cert] PEM file of the CAs a client certificate must chain to; null if not given
 * @param ciphers       [ssl_ciphers] colon-separated cipher suite names; null for the engine's defaults
 * @param minVersion    [ssl_min_version] 0 TLS 1.0, 1 TLS 1.1, 2 TLS 1.2 (the default), 3 TLS 1.3
 * @param sessionCache  [ssl_session_cache] keep sessions so clients can resume them
 * @param wbufSizeBytes [ssl_wbuf_size] memcached's per-connection TLS output buffer, in bytes;
 *                      shown in "stats settings" only (Netty's SslHandler sizes its own buffers)
 * @param kernelTls     [ssl_kernel_tls] accepted for memcached's command lines; Mnemo has no
 *                      kernel TLS offload, so "stats settings" shows it off
 */
record TlsOptions(boolean enabled, String chainCert, String key, int keyFormat, int verifyMode, String caCert,
                  String ciphers, int minVersion, boolean sessionCache, int wbufSizeBytes, boolean kernelTls) {

    /** OpenSSL's SSL_FILETYPE_PEM, memcached's default ssl_keyformat. */
    static final int KEY_FORMAT_PEM = 1;
    /** OpenSSL's SSL_FILETYPE_ASN1: a DER key file. */
    static final int KEY_FORMAT_DER = 2;

    /** ssl_min_version's values 0 to 3, as memcached names them in "stats settings". */
    private static final List<String> VERSION_NAMES = List.of("tlsv1.0", "tlsv1.1", "tlsv1.2", "tlsv1.3");
    /** ssl_min_version's values 0 to 3, as the JDK and Netty name the protocols. */
    private static final List<String> PROTOCOLS = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");
    /** OpenSSL's verify flags for ssl_verify_mode 0 to 3 (PEER 1, FAIL_IF_NO_PEER_CERT 2, CLIENT_ONCE 4), as memcached shows them. */
    private static final int[] VERIFY_FLAGS = {0, 1, 3, 7};

    /** memcached's defaults, TLS off. */
    static final TlsOptions DEFAULTS = parse(false, List.of());

    /**
     * @param enabled    whether {@code -Z} was given
     * @param extended   the {@code -o} values, each a comma-separated list of {@code name[=value]}
     * @return the settings they name, memcached's defaults for the rest
     * @throws IllegalArgumentException with memcached's message for an unknown sub-option, a
     *                                  missing value or a value out of range
     */
    static TlsOptions parse(boolean enabled, List<String> extended) {
        String chainCert = null;
        String key = null;
        String caCert = null;
        String ciphers = null;
        int keyFormat = KEY_FORMAT_PEM;
        int verifyMode = 0;
        int minVersion = 2;
        int wbufSizeBytes = 16 * 1024;
        boolean sessionCache = false;
        boolean kernelTls = false;
        for (String list : extended) {
            for (String item : list.split(",")) {
                if (item.isEmpty()) {
                    continue;
                }
                int eq = item.indexOf('=');
                String name = eq < 0 ? item : item.substring(0, eq);
                String value = eq < 0 ? null : item.substring(eq + 1);
                switch (name) {
                    case "ssl_chain_cert" -> chainCert = required(name, value);
                    case "ssl_key" -> key = required(name, value);
                    case "ssl_keyformat" -> keyFormat = number(name, value);
                    case "ssl_verify_mode" -> verifyMode = inRange(name, number(name, value), 3);
                    case "ssl_ca_cert" -> caCert = required(name, value);
                    case "ssl_ciphers" -> ciphers = required(name, value);
                    case "ssl_min_version" -> minVersion = inRange(name, number(name, value), 3);
                    case "ssl_wbuf_size" -> wbufSizeBytes = number(name, value) * 1024;
                    case "ssl_session_cache" -> sessionCache = true;
                    case "ssl_kernel_tls" -> kernelTls = true;
                    default -> throw new IllegalArgumentException("Illegal suboption \"" + item + "\"");
                }
            }
        }
        return new TlsOptions(enabled, chainCert, key, keyFormat, verifyMode, caCert, ciphers, minVersion,
                sessionCache, wbufSizeBytes, kernelTls);
    }

    private static String required(String name, String value) {
        if (value == null) {
            throw new IllegalArgumentException("Missing " + name + " argument");
        }
        return value;
    }

    private static int number(String name, String value) {
        try {
            return Integer.parseInt(required(name, value));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("could not parse argument to " + name);
        }
    }

    private static int inRange(String name, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException("Invalid " + name + ". Use help to see valid options.");
        }
        return value;
    }

    /** @return the protocols to enable, from ssl_min_version up to TLS 1.3, as the JDK names them */
    String[] protocols() {
        return PROTOCOLS.subList(minVersion, PROTOCOLS.size()).toArray(String[]::new);
    }

    /** @return the {@code ssl_*} lines of "stats settings", in memcached 1.6.18's order and spelling */
    List<Map.Entry<String, String>> settingsLines() {
        return List.of(
                Map.entry("ssl_enabled", enabled ? "yes" : "no"),
                Map.entry("ssl_chain_cert", chainCert == null ? "(null)" : chainCert),
                Map.entry("ssl_key", key == null ? "(null)" : key),
                Map.entry("ssl_verify_mode", Integer.toString(VERIFY_FLAGS[verifyMode])),
                Map.entry("ssl_keyformat", Integer.toString(keyFormat)),
                Map.entry("ssl_ciphers", ciphers == null ? "NULL" : ciphers),
                Map.entry("ssl_ca_cert", caCert == null ? "NULL" : caCert),
                Map.entry("ssl_wbuf_size", Integer.toString(wbufSizeBytes)),
                Map.entry("ssl_session_cache", sessionCache ? "yes" : "no"),
                Map.entry("ssl_kernel_tls", "no"),
                Map.entry("ssl_min_version", VERSION_NAMES.get(minVersion)));
    }
}
