package dev.mnemo.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * memcached's -o ssl_* sub-options and -l listener syntax: values, defaults and memcached
 * 1.6.18's messages for bad ones (checked against memcached -Z by hand: its exit status is 1,
 * Mnemo's 64 as for every bad flag).
 */
class TlsOptionsTest {

    @Test
    void everySubOption() {
        TlsOptions o = TlsOptions.parse(true, List.of("ssl_chain_cert=/c.pem,ssl_key=/k.pem,ssl_keyformat=2",
                "ssl_verify_mode=3,ssl_ca_cert=/ca.pem,ssl_ciphers=TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256",
                "ssl_min_version=3,ssl_session_cache,ssl_wbuf_size=32,ssl_kernel_tls"));
        assertEquals(new TlsOptions(true, "/c.pem", "/k.pem", 2, 3, "/ca.pem",
                "TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256", 3, true, 32 * 1024, true), o);
        assertArrayEquals(new String[] {"TLSv1.3"}, o.protocols());
    }

    @Test
    void defaultsAreMemcachedsAndShowAsItsStatsSettings() {
        TlsOptions o = TlsOptions.parse(false, List.of());
        assertFalse(o.enabled());
        assertArrayEquals(new String[] {"TLSv1.2", "TLSv1.3"}, o.protocols());
        assertEquals("ssl_enabled=no ssl_chain_cert=(null) ssl_key=(null) ssl_verify_mode=0 ssl_keyformat=1 "
                        + "ssl_ciphers=NULL ssl_ca_cert=NULL ssl_wbuf_size=16384 ssl_session_cache=no ssl_kernel_tls=no "
                        + "ssl_min_version=tlsv1.2",
                String.join(" ", o.settingsLines().stream().map(Object::toString).toList()));
    }

    /** memcached shows OpenSSL's verify flags: 2 (require) is PEER | FAIL_IF_NO_PEER_CERT. */
    @ParameterizedTest
    @CsvSource({"0, 0", "1, 1", "2, 3", "3, 7"})
    void verifyModesShowAsOpenSslFlags(int mode, String shown) {
        TlsOptions o = TlsOptions.parse(true, List.of("ssl_verify_mode=" + mode));
        assertTrue(o.settingsLines().contains(Map.entry("ssl_verify_mode", shown)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "bogus=1|Illegal suboption \"bogus=1\"",
            "ssl_chain_cert=/c,maxconns_fast|Illegal suboption \"maxconns_fast\"",
            "ssl_chain_cert|Missing ssl_chain_cert argument",
            "ssl_ciphers|Missing ssl_ciphers argument",
            "ssl_verify_mode=x|could not parse argument to ssl_verify_mode",
            "ssl_verify_mode=5|Invalid ssl_verify_mode. Use help to see valid options.",
            "ssl_min_version=tlsv1.3|could not parse argument to ssl_min_version",
            "ssl_min_version=7|Invalid ssl_min_version. Use help to see valid options.",
            "ssl_keyformat=pem|could not parse argument to ssl_keyformat"})
    void refusalsUseMemcachedsMessages(String suboptions, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TlsOptions.parse(true, List.of(suboptions)));
        assertEquals(message, e.getMessage());
    }

    @Test
    void listenersTakeMemcachedsSyntax() {
        assertEquals(List.of(new ListenAddress("127.0.0.1", 11211, true),
                        new ListenAddress("127.0.0.1", 11212, false),
                        new ListenAddress("::1", 11213, true),
                        new ListenAddress("::1", 11211, true),
                        new ListenAddress("localhost", 11211, true)),
                ListenAddress.parse(List.of("127.0.0.1,notls:127.0.0.1:11212", "[::1]:11213", "::1", "localhost"),
                        11211, true));
        assertEquals(List.of(new ListenAddress("0.0.0.0", 11211, false)),
                ListenAddress.parse(List.of("0.0.0.0"), 11211, false));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "notls:127.0.0.1:11212|'notls' option is valid only when SSL is enabled",
            "127.0.0.1:x|bad listen address '127.0.0.1:x': the port must be 0 to 65535",
            "127.0.0.1:70000|bad listen address '127.0.0.1:70000': the port must be 0 to 65535",
            "[::1|bad listen address '[::1': no ']' after the IPv6 address"})
    void badListenersAreRefused(String spec, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class,
                () -> ListenAddress.parse(List.of(spec), 11211, false)).getMessage());
    }
}
