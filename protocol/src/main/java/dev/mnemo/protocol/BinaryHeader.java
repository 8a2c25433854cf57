package dev.mnemo.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The 24-byte header of memcached's binary protocol ("BinaryProtocolRevamped", section
 * "Packet Structure"): reads a request's fields from the inbound buffer in place and writes a
 * response header. All fields are big-endian. Not thread-safe: one per connection.
 */
final class BinaryHeader {

    /** Header length in bytes. */
    static final int LENGTH = 24;
    /** Magic byte of a request. */
    static final int REQUEST_MAGIC = 0x80;
    /** Magic byte of a response. */
    static final int RESPONSE_MAGIC = 0x81;

    int magic;
    int opcode;
    /** Key length in bytes (0 to 65535). */
    int keyLength;
    /** Extras length in bytes (0 to 255). */
    int extrasLength;
    /** Extras + key + value length in bytes (an unsigned 32-bit number). */
    long bodyLength;
    int opaque;
    long casUnique;

    /** Reads the header at {@code index}; the buffer must hold {@link #LENGTH} bytes there. */
    void read(ByteBuf in, int index) {
        magic = in.getUnsignedByte(index);
        opcode = in.getUnsignedByte(index + 1);
        keyLength = in.getUnsignedShort(index + 2);
        extrasLength = in.getUnsignedByte(index + 4);
        bodyLength = in.getUnsignedInt(index + 8);
        opaque = in.getInt(index + 12);
        casUnique = in.getLong(index + 16);
    }

    /**
     * Writes a response header echoing this request's opcode and opaque.
     *
     * @param keyLength    key length of the response, bytes
     * @param extrasLength extras length of the response, bytes
     * @param status       one of {@link BinaryStatus}'s codes
     * @param bodyLength   extras + key + value length of the response, bytes
     * @param cas          the CAS unique to send, 0 for none
     */
    void writeResponse(ByteBuf out, int keyLength, int extrasLength, int status, int bodyLength, long cas) {
        out.ensureWritable(LENGTH + bodyLength);
        out.writeByte(RESPONSE_MAGIC);
        out.writeByte(opcode);
        out.writeShort(keyLength);
        out.writeByte(extrasLength);
        out.writeByte(0);
        out.writeShort(status);
        out.writeInt(bodyLength);
        out.writeInt(opaque);
        out.writeLong(cas);
    }
}
