package dev.mnemo.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Drives one {@link BinaryProtocol} as the server's connection handler would, builds binary
 * requests and parses the responses ("BinaryProtocolRevamped", "Packet Structure").
 */
final class BinaryClient implements AutoCloseable {

    /** One parsed response packet. */
    record Response(int magic, int opcode, int status, int opaque, long cas, byte[] extras, byte[] key, byte[] value) {
        String keyText() {
            return new String(key, StandardCharsets.ISO_8859_1);
        }

        String valueText() {
            return new String(value, StandardCharsets.ISO_8859_1);
        }

        int flags() {
            return ByteBuffer.wrap(extras).getInt();
        }
    }

    final BinaryProtocol protocol;
    final ByteBuf in = UnpooledByteBufAllocator.DEFAULT.heapBuffer(256);
    final ByteBuf out = UnpooledByteBufAllocator.DEFAULT.heapBuffer(256);
    private boolean closed;

    BinaryClient(BinaryProtocol protocol) {
        this.protocol = protocol;
    }

    /** @return a request packet with opaque 0x01020304 */
    static byte[] request(int opcode, byte[] extras, String key, byte[] value, long cas) {
        byte[] k = key.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(24 + extras.length + k.length + value.length);
        b.put((byte) 0x80).put((byte) opcode).putShort((short) k.length).put((byte) extras.length).put((byte) 0)
                .putShort((short) 0).putInt(extras.length + k.length + value.length).putInt(0x01020304).putLong(cas);
        return b.put(extras).put(k).put(value).array();
    }

    static byte[] request(int opcode, String key) {
        return request(opcode, new byte[0], key, new byte[0], 0);
    }

    /** @return the 8 extras bytes of a SET/ADD/REPLACE: client flags, exptime */
    static byte[] flagsExptime(int flags, int exptime) {
        return ByteBuffer.allocate(8).putInt(flags).putInt(exptime).array();
    }

    /** @return the 20 extras bytes of an INCREMENT/DECREMENT: delta, initial value, expiration */
    static byte[] delta(long delta, long initial, int expiration) {
        return ByteBuffer.allocate(20).putLong(delta).putLong(initial).putInt(expiration).array();
    }

    static byte[] exptime(int exptime) {
        return ByteBuffer.allocate(4).putInt(exptime).array();
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    /** Sends the packets in one read; returns the responses they produced. */
    List<Response> send(byte[]... packets) {
        feed(concat(packets));
        return take();
    }

    /** Appends bytes as one read and processes until more input is needed or the connection closes. */
    void feed(byte[] bytes) {
        feed(bytes, bytes.length);
    }

    /** Appends the first {@code length} bytes as one read and processes, as {@link #feed(byte[])}. */
    void feed(byte[] bytes, int length) {
        in.writeBytes(bytes, 0, length);
        closed = closed || Client.processAll(protocol, in, out);
        in.discardReadBytes();
    }

    /** @return the raw bytes written since the last take */
    byte[] takeBytes() {
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        out.clear();
        return bytes;
    }

    List<Response> take() {
        return parse(takeBytes());
    }

    static List<Response> parse(byte[] bytes) {
        List<Response> responses = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.remaining() >= 24) {
            int magic = b.get() & 0xFF;
            int opcode = b.get() & 0xFF;
            int keyLength = b.getShort() & 0xFFFF;
            int extrasLength = b.get() & 0xFF;
            b.get();
            int status = b.getShort() & 0xFFFF;
            int body = b.getInt();
            int opaque = b.getInt();
            long cas = b.getLong();
            byte[] extras = new byte[extrasLength];
            byte[] key = new byte[keyLength];
            byte[] value = new byte[body - extrasLength - keyLength];
            b.get(extras).get(key).get(value);
            responses.add(new Response(magic, opcode, status, opaque, cas, extras, key, value));
        }
        if (b.hasRemaining()) {
            throw new AssertionError("trailing bytes: " + Arrays.toString(Arrays.copyOfRange(bytes, b.position(), bytes.length)));
        }
        return responses;
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        in.release();
        out.release();
    }
}
