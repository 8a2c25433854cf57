package dev.mnemo.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

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

    /**
     * Every command memcached 1.6.18 knows, and some it does not, gets a reply (or, for noreply,
     * none) and leaves the connection answering: the "version" after it is answered. Not
     * "watch" nor "lru_crawler metadump": those turn the connection into a stream in memcached.
     */
    @ParameterizedTest
    @ValueSource(strings = {"stats detail dump", "stats detail on", "stats detail off", "stats detail", "stats cachedump 1 1",
        "stats sizes_enable", "stats slabs", "stats items", "stats sizes", "stats settings", "stats conns", "stats foo",
        "lru_crawler", "lru_crawler tocrawl 10", "lru_crawler sleep 100", "lru_crawler enable", "lru_crawler crawl all",
        "slabs automove 1", "slabs reassign 1 2", "slabs", "lru mode flat", "lru", "debugtime 1", "extstore x",
        "misbehave", "mn", "me", "mg", "ms", "md", "ma", "mz", "verbosity", "verbosity 1 noreply", "flush_all noreply",
        "cache_memlimit", "cache_memlimit 64 noreply", "refresh_certs", "shutdown graceful", "stats reset", "x", "",
        "gets", "gat", "gats 1", "touch", "incr", "decr", "delete", "cas", "set", "add x", "GET /"})
    void everyCommandGetsAReplyAndTheConnectionStaysUsable(String request) {
        try (RawClient client = server.connect()) {
            client.send(request + "\r\nversion\r\n");
            String line;
            do {
                line = client.readLine();
            } while (!line.startsWith("VERSION "));
        }
    }

    /** A 24-byte binary request header with these fields (protocol_binary.txt), as ISO-8859-1 text. */
    private static String binaryHeader(int opcode, int keyLength, int extrasLength, long bodyLength) {
        byte[] header = java.nio.ByteBuffer.allocate(24).put((byte) 0x80).put((byte) opcode).putShort((short) keyLength)
                .put((byte) extrasLength).put((byte) 0).putShort((short) 0).putInt((int) bodyLength).array();
        return new String(header, StandardCharsets.ISO_8859_1);
    }

    /** The response header and body of an error with memcached's text for it. */
    private static String binaryError(int opcode, int status, String text) {
        byte[] header = java.nio.ByteBuffer.allocate(24).put((byte) 0x81).put((byte) opcode).putShort((short) 0)
                .put((byte) 0).put((byte) 0).putShort((short) status).putInt(text.length()).array();
        return new String(header, StandardCharsets.ISO_8859_1) + text;
    }

    @Test
    void anUnknownOpcodeWithABodyOf4GiBGetsItsErrorAndACloseAsInMemcached() {
        try (RawClient client = server.connect()) {
            client.send(binaryHeader(0x99, 0, 0, 0xFFFF_FFFFL) + "x".repeat(100));
            client.expectClosed(binaryError(0x99, 0x81, "Unknown command"));
        }
    }

    @Test
    void anUnknownOpcodeWithAShortBodyIsSkipped() {
        try (RawClient client = server.connect()) {
            client.send(binaryHeader(0x99, 0, 0, 10) + "x".repeat(10) + binaryHeader(0x99, 0, 0, 0));
            client.expect(binaryError(0x99, 0x81, "Unknown command").repeat(2));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x01, 0x05, 0x99})
    void keyAndExtrasLongerThanTheBodyGetUnknownCommandAndACloseAsInMemcached(int opcode) {
        try (RawClient client = server.connect()) {
            client.send(binaryHeader(opcode, 10, opcode == 0x01 ? 8 : 0, 5) + "abcde" + binaryHeader(0x0b, 0, 0, 0));
            client.expectClosed(binaryError(opcode, 0x81, "Unknown command"));
        }
    }

    /**
     * Complete command lines over 2,048 bytes that arrive within one 16 KiB read get ERROR each
     * in memcached; Mnemo answers ERROR to every complete one, however the stream is split
     * (README, "Migrating from memcached": memcached closes when such a line straddles its read
     * buffer).
     */
    @Test
    void completeOverLongLinesGetErrorEach() {
        try (RawClient client = server.connect()) {
            client.exchange(("a".repeat(4096) + "\r\n").repeat(3), "ERROR\r\n".repeat(3));
        }
    }

    /** Binary INCREMENT and DECREMENT: the initial value, the delta and the new value (8 bytes each) over the unsigned range. */
    @Test
    void binaryIncrementAndDecrementCoverTheUnsignedRange() {
        long[][] steps = { // opcode, delta, initial, expected value
            {0x05, 1, -1, -1}, {0x05, 1, 0, 0}, {0x05, Long.MIN_VALUE, 0, Long.MIN_VALUE}, {0x06, 1, 0, Long.MAX_VALUE},
            {0x05, Long.MIN_VALUE, 0, -1}, {0x05, 1, 0, 0}};
        try (RawClient text = server.connect()) {
            text.send("delete bn\r\n").readLine();
        }
        try (RawClient client = server.connect()) { // binary: the connection's first byte decides
            for (long[] step : steps) {
                byte[] extras = java.nio.ByteBuffer.allocate(20).putLong(step[1]).putLong(step[2]).putInt(0).array();
                client.send(binaryHeader((int) step[0], 2, 20, 22) + new String(extras, StandardCharsets.ISO_8859_1) + "bn");
                java.nio.ByteBuffer response = java.nio.ByteBuffer.wrap(client.read(32));
                assertEquals(0, response.getShort(6), "status");
                assertEquals(8, response.getInt(8), "body length");
                assertEquals(Long.toUnsignedString(step[3]), Long.toUnsignedString(response.getLong(24)));
            }
        }
        try (RawClient text = server.connect()) {
            text.exchange("get bn\r\n", "VALUE bn 0 20\r\n0                   \r\nEND\r\n");
        }
    }
}
