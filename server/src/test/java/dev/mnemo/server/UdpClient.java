package dev.mnemo.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A memcached UDP client for byte-exact tests (protocol.txt "UDP protocol"): a plain
 * {@link DatagramChannel} connected to the server, sending frame-headed datagrams and reading
 * replies with a 5 s deadline.
 */
final class UdpClient implements AutoCloseable {

    static final int HEADER_BYTES = 8;
    private static final long TIMEOUT_MILLIS = 5000;

    /** One received datagram: its frame header's fields and its payload. */
    record Datagram(int requestId, int sequence, int total, int reserved, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.ISO_8859_1);
        }
    }

    private final DatagramChannel channel;
    private final Selector selector;
    private final ByteBuffer receiveBuffer = ByteBuffer.allocate(65536);

    UdpClient(InetSocketAddress server) {
        try {
            channel = DatagramChannel.open();
            channel.bind(new InetSocketAddress("127.0.0.1", 0));
            channel.connect(server);
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends {@code payload} after a well-formed header: the request ID, sequence 0, total 1, reserved 0. */
    void send(int requestId, String payload) {
        send(header(requestId, 0, 1, 0), payload.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Sends one datagram made of the given parts, as they are (no header added). */
    void send(byte[]... parts) {
        ByteArrayOutputStream datagram = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            datagram.writeBytes(part);
        }
        try {
            channel.write(ByteBuffer.wrap(datagram.toByteArray()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return a frame header with these fields, each a 16-bit big-endian integer */
    static byte[] header(int requestId, int sequence, int total, int reserved) {
        return ByteBuffer.allocate(HEADER_BYTES).putShort((short) requestId).putShort((short) sequence)
                .putShort((short) total).putShort((short) reserved).array();
    }

    /** Receives the next datagram, failing after 5 s. */
    Datagram receive() {
        try {
            long deadline = System.nanoTime() + TIMEOUT_MILLIS * 1_000_000;
            while (true) {
                receiveBuffer.clear();
                if (channel.receive(receiveBuffer) != null) {
                    receiveBuffer.flip();
                    assertTrue(receiveBuffer.remaining() >= HEADER_BYTES, "a datagram shorter than the header");
                    int requestId = Short.toUnsignedInt(receiveBuffer.getShort());
                    int sequence = Short.toUnsignedInt(receiveBuffer.getShort());
                    int total = Short.toUnsignedInt(receiveBuffer.getShort());
                    int reserved = Short.toUnsignedInt(receiveBuffer.getShort());
                    byte[] payload = new byte[receiveBuffer.remaining()];
                    receiveBuffer.get(payload);
                    return new Datagram(requestId, sequence, total, reserved, payload);
                }
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    fail("no datagram within " + TIMEOUT_MILLIS + " ms");
                }
                selector.select(left);
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Receives one reply message: its datagrams, which may arrive in any order, placed by sequence
     * number. Asserts that all carry {@code requestId}, the same total and reserved 0, and that
     * each sequence number 0 to total-1 came exactly once.
     *
     * @return the datagrams in sequence order
     */
    Datagram[] receiveMessage(int requestId) {
        Datagram first = receive();
        assertTrue(first.total() > 0, "total datagrams 0");
        Datagram[] message = new Datagram[first.total()];
        Datagram next = first;
        for (int received = 0; received < message.length; received++) {
            if (received > 0) {
                next = receive();
            }
            assertEquals(requestId, next.requestId(), "request ID");
            assertEquals(first.total(), next.total(), "total datagrams");
            assertEquals(0, next.reserved(), "reserved");
            assertTrue(next.sequence() < message.length && message[next.sequence()] == null,
                    "sequence " + next.sequence() + " out of range or repeated");
            message[next.sequence()] = next;
        }
        return message;
    }

    /** @return the payloads of {@code message} concatenated in sequence order */
    static byte[] payload(Datagram[] message) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Arrays.stream(message).forEach(datagram -> bytes.writeBytes(datagram.payload()));
        return bytes.toByteArray();
    }

    /** Sends one request and returns its one-message reply as text. */
    String exchange(int requestId, String request) {
        send(requestId, request);
        return new String(payload(receiveMessage(requestId)), StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        try {
            selector.close();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
