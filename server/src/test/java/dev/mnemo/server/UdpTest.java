package dev.mnemo.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * memcached over UDP (protocol.txt "UDP protocol") with a plain DatagramChannel client: the
 * frame header, commands, replies split into numbered datagrams, malformed datagrams, and UDP
 * and TCP seeing one store. Except where a test says so, each expectation was checked against
 * memcached 1.6.18 (run with -Dmnemo.it.memcached=true).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(30)
class UdpTest {

    /** The most reply bytes one datagram carries, as memcached: 1400-byte datagrams less the header. */
    private static final int MAX_PAYLOAD = 1392;

    private final AtomicInteger requestIds = new AtomicInteger(100);
    private RunningServer server;
    private UdpClient udp;

    @BeforeAll
    void start() {
        server = RunningServer.startWithUdp("-t", "2");
        udp = server.udp();
    }

    @AfterAll
    void stop() {
        udp.close();
        server.close();
    }

    private int nextId() {
        return requestIds.incrementAndGet();
    }

    @Test
    void theReplyEchoesTheRequestIdInAOneDatagramHeader() {
        udp.send(0xBEEF, "set header 0 0 3\r\nabc\r\n");
        UdpClient.Datagram reply = udp.receive();
        assertEquals(0xBEEF, reply.requestId());
        assertEquals(0, reply.sequence());
        assertEquals(1, reply.total());
        assertEquals(0, reply.reserved());
        assertEquals("STORED\r\n", reply.text());
        udp.send(0, "get header\r\n");
        UdpClient.Datagram get = udp.receive();
        assertEquals(0, get.requestId());
        assertEquals("VALUE header 0 3\r\nabc\r\nEND\r\n", get.text());
    }

    @Test
    void setGetDeleteIncrAndDecrOverUdp() {
        assertEquals("STORED\r\n", udp.exchange(nextId(), "set counter 7 0 2\r\n10\r\n"));
        assertEquals("VALUE counter 7 2\r\n10\r\nEND\r\n", udp.exchange(nextId(), "get counter\r\n"));
        assertEquals("15\r\n", udp.exchange(nextId(), "incr counter 5\r\n"));
        assertEquals("12\r\n", udp.exchange(nextId(), "decr counter 3\r\n"));
        assertEquals("DELETED\r\n", udp.exchange(nextId(), "delete counter\r\n"));
        assertEquals("END\r\n", udp.exchange(nextId(), "get counter\r\n"));
        assertEquals("NOT_FOUND\r\n", udp.exchange(nextId(), "incr counter 1\r\n"));
        assertEquals("ERROR\r\n", udp.exchange(nextId(), "bogus\r\n"));
        assertEquals("STORED\r\n", udp.exchange(nextId(), "set word 0 0 3\r\nabc\r\n"));
        assertEquals("CLIENT_ERROR cannot increment or decrement non-numeric value\r\n",
                udp.exchange(nextId(), "incr word 1\r\n"));
    }

    @Test
    void metaCommandsOverUdp() {
        assertEquals("HD\r\n", udp.exchange(nextId(), "ms meta 2 T0 F5\r\nhi\r\n"));
        assertEquals("VA 2 f5 t-1\r\nhi\r\n", udp.exchange(nextId(), "mg meta v f t\r\n"));
        assertEquals("VA 1\r\n2\r\n", udp.exchange(nextId(), "ma counter-m N0 J2 v\r\n")); // created at J
        assertEquals("VA 1\r\n3\r\n", udp.exchange(nextId(), "ma counter-m v\r\n"));
        assertEquals("HD\r\n", udp.exchange(nextId(), "md meta\r\n"));
        assertEquals("EN\r\n", udp.exchange(nextId(), "mg meta v\r\n"));
        assertEquals("MN\r\n", udp.exchange(nextId(), "mn\r\n"));
    }

    @Test
    void noreplySendsNothing() {
        udp.send(nextId(), "set quiet 0 0 1 noreply\r\nq\r\n");
        // memcached's threads share one UDP socket, so its get may overtake the set: poll, bounded
        long deadline = System.nanoTime() + 5_000_000_000L;
        String reply;
        do {
            reply = udp.exchange(nextId(), "get quiet\r\n"); // a reply to the set would fail this on its request ID
        } while (reply.equals("END\r\n") && System.nanoTime() < deadline);
        assertEquals("VALUE quiet 0 1\r\nq\r\nEND\r\n", reply);
    }

    @Test
    void binaryRequestsOverUdp() {
        int setId = nextId();
        udp.send(UdpClient.header(setId, 0, 1, 0),
                binaryRequest(0x01, "bin", new byte[] {0, 0, 0, 5, 0, 0, 0, 0}, "value"));
        ByteBuffer set = ByteBuffer.wrap(UdpClient.payload(udp.receiveMessage(setId)));
        assertEquals(24, set.remaining());
        assertEquals((byte) 0x81, set.get(0));
        assertEquals(0x01, set.get(1));
        assertEquals(0, set.getShort(6), "status");

        int getId = nextId();
        udp.send(UdpClient.header(getId, 0, 1, 0), binaryRequest(0x00, "bin", new byte[0], ""));
        ByteBuffer get = ByteBuffer.wrap(UdpClient.payload(udp.receiveMessage(getId)));
        assertEquals((byte) 0x81, get.get(0));
        assertEquals(0, get.getShort(6), "status");
        assertEquals(4 + 5, get.getInt(8), "body: flags and value");
        assertEquals(5, get.getInt(24), "client flags");
        assertEquals("value", StandardCharsets.US_ASCII.decode(get.slice(28, 5)).toString());
    }

    @Test
    void aValueLargerThanOneDatagramIsSplitInto1400ByteDatagrams() {
        String value = pattern(5000);
        assertEquals("STORED\r\n", udp.exchange(nextId(), "set large 0 0 5000\r\n" + value + "\r\n"));
        int id = nextId();
        udp.send(id, "get large\r\n");
        UdpClient.Datagram[] message = udp.receiveMessage(id);
        byte[] expected = ("VALUE large 0 5000\r\n" + value + "\r\nEND\r\n").getBytes(StandardCharsets.ISO_8859_1);
        assertEquals((expected.length + MAX_PAYLOAD - 1) / MAX_PAYLOAD, message.length);
        for (int i = 0; i < message.length - 1; i++) {
            assertEquals(MAX_PAYLOAD, message[i].payload().length, "datagram " + i);
        }
        assertArrayEquals(expected, UdpClient.payload(message));
    }

    /**
     * Mnemo only: memcached 1.6.18 sends each key's VALUE of a multi-key get as a message of its
     * own, every one numbered from 0 (and at times an empty datagram of total 0 in place of the
     * first), so its reply cannot be put together by sequence number; Mnemo sends one request's
     * reply as one message, as protocol.txt describes.
     */
    @Test
    void aMultiGetReplyIsOneMessageAndReassemblesToTheTcpReply() {
        assumeFalse(RunningServer.againstMemcached(), "memcached splits a multi-get reply per key");
        StringBuilder keys = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            assertEquals("STORED\r\n", udp.exchange(nextId(), "set multi" + i + " " + i + " 0 700\r\n" + pattern(700) + "\r\n"));
            keys.append(" multi").append(i);
        }
        String get = "get" + keys + " missing\r\n";
        int id = nextId();
        udp.send(id, get);
        UdpClient.Datagram[] message = udp.receiveMessage(id);
        assertTrue(message.length > 5, "spans " + message.length + " datagrams");
        String overTcp;
        try (RawClient tcp = server.connect()) {
            tcp.send(get);
            StringBuilder reply = new StringBuilder();
            while (!reply.toString().endsWith("END\r\n")) {
                reply.append(tcp.readLine());
            }
            overTcp = reply.toString();
        }
        assertArrayEquals(overTcp.getBytes(StandardCharsets.ISO_8859_1), UdpClient.payload(message));
    }

    @Test
    void eachRequestOfADatagramGetsItsOwnMessage() {
        assertEquals("STORED\r\n", udp.exchange(nextId(), "set pair 0 0 1\r\np\r\n"));
        int id = nextId();
        udp.send(id, "get pair\r\nget pair\r\n");
        for (int i = 0; i < 2; i++) {
            assertEquals("VALUE pair 0 1\r\np\r\nEND\r\n",
                    new String(UdpClient.payload(udp.receiveMessage(id)), StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void theRequestsSequenceNumberAndReservedFieldAreIgnored() {
        int id = nextId();
        udp.send(UdpClient.header(id, 3, 1, 7), "version\r\n".getBytes(StandardCharsets.US_ASCII));
        UdpClient.Datagram reply = udp.receive();
        assertEquals(id, reply.requestId());
        assertEquals(0, reply.sequence());
        assertTrue(reply.text().startsWith("VERSION "), reply.text());
    }

    /**
     * Each malformed datagram is dropped without a reply: the next reply to arrive is the one to
     * the well-formed request sent after it.
     */
    @Test
    void malformedDatagramsAreDroppedAndTheSocketServesOn() {
        assertEquals("STORED\r\n", udp.exchange(nextId(), "set present 0 0 1\r\nx\r\n"));
        byte[][] malformed = {
                new byte[] {0, 1, 0, 0, 0, 1, 0}, // shorter than the header
                UdpClient.header(1, 0, 1, 0), // a header and nothing else
                concat(UdpClient.header(1, 0, 2, 0), "get present\r\n"), // the first of a 2-datagram request
                concat(UdpClient.header(1, 1, 2, 0), "get present\r\n"), // the second of one
                concat(UdpClient.header(1, 0, 0, 0), "get present\r\n"), // total 0
                concat(UdpClient.header(1, 0, 1, 0), "get present"), // a command line without its end
        };
        for (byte[] datagram : malformed) {
            assertDroppedWithoutReply(datagram);
        }
    }

    /**
     * Mnemo only: memcached 1.6.18 takes the next datagram, from whichever client, as the rest
     * of a data block cut short, and answers "CLIENT_ERROR bad data chunk" under the first
     * request's ID; Mnemo drops the cut request, so one client's datagram never completes
     * another's request.
     */
    @Test
    void aDataBlockCutShortIsDroppedAndNotCompletedByTheNextDatagram() {
        assumeFalse(RunningServer.againstMemcached(), "memcached joins the next datagram to the cut data block");
        assertEquals("STORED\r\n", udp.exchange(nextId(), "set present 0 0 1\r\nx\r\n"));
        assertDroppedWithoutReply(concat(UdpClient.header(1, 0, 1, 0), "set cut 0 0 10\r\nabc"));
        assertEquals("END\r\n", udp.exchange(nextId(), "get cut\r\n"));
    }

    /** Sends {@code datagram}, then a get: the next reply to arrive must be the get's. */
    private void assertDroppedWithoutReply(byte[] datagram) {
        udp.send(datagram);
        int id = nextId();
        udp.send(id, "get present\r\n");
        UdpClient.Datagram reply = udp.receive();
        assertEquals(id, reply.requestId(), "a reply to a malformed datagram");
        assertEquals("VALUE present 0 1\r\nx\r\nEND\r\n", reply.text());
    }

    @Test
    void aCompleteRequestBeforeATruncatedOneIsAnswered() {
        int id = nextId();
        udp.send(id, "version\r\nget present");
        assertTrue(new String(UdpClient.payload(udp.receiveMessage(id)), StandardCharsets.ISO_8859_1).startsWith("VERSION "));
        // the next reply to arrive answers the next request: nothing came for the truncated get
        assertTrue(udp.exchange(nextId(), "version\r\n").startsWith("VERSION "));
    }

    /**
     * Mnemo only: memcached 1.6.18 answers quit with an empty datagram of total 0, and a data
     * block too large for the cache with nothing; Mnemo sends nothing for quit and memcached's TCP
     * reply for the data block. Neither stops the socket or leaks into the next datagram.
     */
    @Test
    void quitAnOverlongLineAndAnOversizedValueDoNotDisturbTheNextDatagram() {
        assumeFalse(RunningServer.againstMemcached(), "memcached's replies differ, see the doc comment");
        udp.send(nextId(), "quit\r\n");
        assertTrue(udp.exchange(nextId(), "version\r\n").startsWith("VERSION "));
        udp.send(nextId(), "x".repeat(3000));
        assertTrue(udp.exchange(nextId(), "version\r\n").startsWith("VERSION "));
        assertEquals("SERVER_ERROR object too large for cache\r\n", udp.exchange(nextId(), "set huge 0 0 2000000\r\n"));
        assertTrue(udp.exchange(nextId(), "version\r\n").startsWith("VERSION "));
    }

    @Test
    void tcpSeesWhatUdpStoredAndUdpWhatTcpStored() {
        assertEquals("STORED\r\n", udp.exchange(nextId(), "set fromudp 3 0 5\r\nhello\r\n"));
        try (RawClient tcp = server.connect()) {
            tcp.exchange("get fromudp\r\n", "VALUE fromudp 3 5\r\nhello\r\nEND\r\n");
            tcp.send("set fromtcp 4 0 5\r\nworld\r\n").expect("STORED\r\n");
        }
        assertEquals("VALUE fromtcp 4 5\r\nworld\r\nEND\r\n", udp.exchange(nextId(), "get fromtcp\r\n"));
    }

    @Test
    void oneUdpSocketPerEventLoopWithSoReuseport() {
        assumeFalse(RunningServer.againstMemcached());
        int expected = server.server().transport().equals("nio") ? 1 : 2;
        assertEquals(expected, server.server().udpLoops().size());
        // Clients on many source ports are spread by the kernel across the sockets; all are served.
        for (int i = 0; i < 8; i++) {
            try (UdpClient client = server.udp()) {
                assertTrue(client.exchange(i, "version\r\n").startsWith("VERSION "));
            }
        }
    }

    private static byte[] binaryRequest(int opcode, String key, byte[] extras, String value) {
        byte[] keyBytes = key.getBytes(StandardCharsets.US_ASCII);
        byte[] valueBytes = value.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer request = ByteBuffer.allocate(24 + extras.length + keyBytes.length + valueBytes.length);
        request.put((byte) 0x80).put((byte) opcode).putShort((short) keyBytes.length).put((byte) extras.length)
                .put((byte) 0).putShort((short) 0).putInt(extras.length + keyBytes.length + valueBytes.length)
                .putInt(0).putLong(0).put(extras).put(keyBytes).put(valueBytes);
        return request.array();
    }

    private static byte[] concat(byte[] header, String payload) {
        byte[] text = payload.getBytes(StandardCharsets.ISO_8859_1);
        byte[] datagram = new byte[header.length + text.length];
        System.arraycopy(header, 0, datagram, 0, header.length);
        System.arraycopy(text, 0, datagram, header.length, text.length);
        return datagram;
    }

    /** @return {@code length} printable bytes that differ from one position to the next */
    private static String pattern(int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append((char) ('a' + i % 26));
        }
        return text.toString();
    }
}
