package dev.mnemo.server;

import dev.mnemo.protocol.NegotiatingProtocol;
import dev.mnemo.protocol.Outcome;
import io.netty.buffer.ByteBuf;

/**
 * memcached's UDP framing (protocol.txt "UDP protocol"), shared by the server's two UDP paths
 * ({@link UdpSocket} on epoll, {@link UdpHandler} on io_uring and NIO): every datagram starts
 * with an 8-byte frame header — request ID, sequence number, total datagrams, reserved, each a
 * 16-bit big-endian integer — followed by whole requests, text or binary (the first byte
 * decides, as on TCP: {@link NegotiatingProtocol}). Each request's reply goes back to the sender
 * as one message: datagrams numbered 0 to n-1, each with the request's ID, n and at most
 * {@link #MAX_PAYLOAD_BYTES} bytes of the reply.
 *
 * <p>As memcached 1.6 does, a datagram no longer than the header, one announcing a total other
 * than 1 (a multi-datagram request) and the unfinished request at the end of a datagram are
 * dropped without a reply; the sequence number and reserved field of a request are ignored.
 * Nothing carries over from one datagram to the next.
 */
final class UdpFrames {

    /** The frame header's length, in bytes. */
    static final int HEADER_BYTES = 8;

    /** The most reply bytes one datagram carries after its header, as memcached 1.6 (1400-byte datagrams). */
    static final int MAX_PAYLOAD_BYTES = 1400 - HEADER_BYTES;

    /** The most datagrams one reply may take: the header's total is 16 bits. */
    static final int MAX_DATAGRAMS = 0xFFFF;

    /** Where {@link #serve} sends each request's reply. */
    interface Replies {

        /**
         * Sends one request's reply, or drops it (as memcached drops a reply it cannot send).
         * The reply is {@code out}'s bytes from {@code start + HEADER_BYTES} to its writer index,
         * at least one byte; the {@link #HEADER_BYTES} at {@code start} are free for a
         * one-datagram reply's header. The bytes stay {@code out}'s: the callee may send them
         * later, as long as it does so before {@code out} is written over. The callee counts
         * the bytes it sends ({@link LoopCounters#addBytesWritten}).
         *
         * @param datagrams how many datagrams the reply takes, 1 to {@link #MAX_DATAGRAMS}
         */
        void send(ByteBuf out, int start, int requestId, int datagrams);
    }

    private UdpFrames() {
    }

    /**
     * Runs the requests of one datagram, appending each one's reply to {@code out} and handing
     * it to {@code replies}.
     *
     * @param in       the datagram, header included, from its reader index to its writer index
     * @param out      where replies are written, from its writer index on (a direct buffer)
     * @param protocol the socket's protocol instance; reset here, before the first request
     * @param counters the network counters of the socket's event loop
     * @param replies  where the replies go
     */
    static void serve(ByteBuf in, ByteBuf out, NegotiatingProtocol protocol, LoopCounters counters, Replies replies) {
        counters.addBytesRead(in.readableBytes());
        if (in.readableBytes() <= HEADER_BYTES) {
            return;
        }
        int requestId = in.getUnsignedShort(in.readerIndex());
        int total = in.getUnsignedShort(in.readerIndex() + 4);
        if (total != 1) {
            return;
        }
        in.skipBytes(HEADER_BYTES);
        protocol.reset(); // the datagram's first request chooses text or binary anew
        while (in.isReadable()) {
            int start = out.writerIndex();
            out.writeZero(HEADER_BYTES);
            int requestStart = in.readerIndex();
            long started = counters.latency().start();
            Outcome outcome;
            try {
                outcome = protocol.process(in, out);
            } catch (RuntimeException e) {
                out.writerIndex(start);
                throw e;
            }
            if (outcome == Outcome.NEED_MORE_INPUT) {
                out.writerIndex(start); // a truncated request: memcached drops it
                return;
            }
            if (outcome == Outcome.MORE_OUTPUT) {
                out.writerIndex(start); // a key dump cannot fit the datagrams of one reply: dropped
                protocol.reset();
                return;
            }
            counters.latency().record(in, requestStart, started);
            int payload = out.writerIndex() - start - HEADER_BYTES;
            int datagrams = (payload + MAX_PAYLOAD_BYTES - 1) / MAX_PAYLOAD_BYTES;
            if (payload == 0 || datagrams > MAX_DATAGRAMS) {
                out.writerIndex(start); // no reply (noreply), or one too long to number
            } else {
                replies.send(out, start, requestId, datagrams);
            }
            if (outcome == Outcome.CLOSE) {
                return;
            }
        }
    }

    /** @return the payload bytes of datagram {@code sequence} of a reply of {@code payload} bytes */
    static int payloadOf(int payload, int sequence) {
        return Math.min(MAX_PAYLOAD_BYTES, payload - sequence * MAX_PAYLOAD_BYTES);
    }

    /** Writes a reply datagram's frame header at {@code index} (reserved field 0). */
    static void writeHeader(ByteBuf buffer, int index, int requestId, int sequence, int total) {
        buffer.setShort(index, requestId);
        buffer.setShort(index + 2, sequence);
        buffer.setShort(index + 4, total);
        buffer.setShort(index + 6, 0);
    }
}
