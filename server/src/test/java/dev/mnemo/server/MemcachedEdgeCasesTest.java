package dev.mnemo.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The edge cases issue 14 found, byte for byte over a plain socket: unsigned 64-bit numbers at
 * and above 2^63 in incr/decr, meta arithmetic and CAS uniques, and the close memcached answers an
 * HTTP request line with (TCP and UDP). Every expectation was checked against memcached 1.6.18
 * (run with -Dmnemo.it.memcached=true).
 */
@Timeout(30)
class MemcachedEdgeCasesTest {

    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = RunningServer.startWithUdp("-t", "2");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void incrAndDecrRenderNumbersFrom2To63WithoutALeadingZero() {
        try (RawClient client = server.connect()) {
            client.exchange("set n 0 0 19\r\n9223372036854775807\r\nincr n 1\r\nget n\r\n",
                    "STORED\r\n9223372036854775808\r\nVALUE n 0 19\r\n9223372036854775808\r\nEND\r\n");
            client.exchange("incr n 9223372036854775807\r\nincr n 1\r\nget n\r\n",
                    "18446744073709551615\r\n0\r\nVALUE n 0 20\r\n0                   \r\nEND\r\n");
            client.exchange("set n 0 0 20\r\n10000000000000000000\r\ndecr n 1\r\nget n\r\n",
                    "STORED\r\n9999999999999999999\r\nVALUE n 0 20\r\n9999999999999999999 \r\nEND\r\n");
            client.exchange("decr n 18446744073709551615\r\nincr n 18446744073709551615\r\n",
                    "0\r\n18446744073709551615\r\n");
        }
    }

    @Test
    void metaArithmeticRendersTheWholeUnsignedRange() {
        try (RawClient client = server.connect()) {
            client.exchange("ma m N0 J9223372036854775808 v\r\nma m v\r\nma m v MD D9223372036854775809\r\n"
                            + "ma m v D18446744073709551615\r\nma m v\r\nmg m v\r\n",
                    "VA 19\r\n9223372036854775808\r\nVA 19\r\n9223372036854775809\r\nVA 1\r\n0\r\n"
                            + "VA 20\r\n18446744073709551615\r\nVA 1\r\n0\r\nVA 20\r\n0                   \r\n");
        }
    }

    /** Mnemo only: memcached 1.6.18 has no meta flag E to set a CAS unique with (README, "Meta commands"). */
    @Test
    void casUniquesAbove2To63AreStoredAndRenderedUnsigned() {
        assumeFalse(RunningServer.againstMemcached());
        try (RawClient client = server.connect()) {
            client.exchange("ms c 1 E9223372036854775808\r\nx\r\nmg c c\r\ngets c\r\n"
                            + "ms c 1 E18446744073709551615\r\ny\r\nmg c c v\r\n",
                    "HD\r\nHD c9223372036854775808\r\nVALUE c 0 1 9223372036854775808\r\nx\r\nEND\r\n"
                            + "HD\r\nVA 1 c18446744073709551615\r\ny\r\n");
            client.exchange("ms c 1 E4294967296\r\nz\r\nmg c c\r\nms c 1 E1\r\nz\r\nmg c c\r\n",
                    "HD\r\nHD c4294967296\r\nHD\r\nHD c1\r\n");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n", "PUT /a/b HTTP/1.1\r\n", "DELETE HTTP/1.1\r\n",
        "HTTP/1.1\r\n", "xy HTTP/\r\n", "xy  HTTP/1.1 \r\n", "misbehave HTTP/1.1\r\n",
        "xy 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 HTTP/1.1 24 25\r\n"})
    void anHttpRequestLineClosesTheConnectionWithNoReply(String request) {
        try (RawClient client = server.connect()) {
            client.send(request + "version\r\n");
            client.expectClosed("");
        }
    }

    @Test
    void commandsMemcachedDispatchesByFirstLetterAnswerErrorEvenWithHttp() {
        try (RawClient client = server.connect()) {
            client.exchange("x HTTP/1.1\r\ngzz HTTP/1.1\r\nazz / HTTP/1.0\r\nmx HTTP/1.1\r\nxy http/1.1\r\n"
                            + "xy 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 HTTP/1.1\r\n"
                            + "incr HTTP/1.1\r\nxy HTTP/1.1 z\r\n",
                    "ERROR\r\n".repeat(8));
        }
    }

    @Test
    void anHttpRequestLineOverUdpIsDropped() {
        try (UdpClient udp = server.udp()) {
            udp.send(7, "GET / HTTP/1.0\r\nversion\r\n");
            assertEquals("END\r\n", udp.exchange(8, "get nothing-here\r\n"));
        }
    }
}
