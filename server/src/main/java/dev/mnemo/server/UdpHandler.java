package dev.mnemo.server;

import dev.mnemo.protocol.NegotiatingProtocol;
import dev.mnemo.protocol.Outcome;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.Socket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * One UDP socket of the server (protocol.txt "UDP protocol"): every datagram starts with an
 * 8-byte frame header — request ID, sequence number, total datagrams, reserved, each a 16-bit
 * big-endian integer — followed by whole requests, text or binary (the first byte decides, as
 * on TCP: {@link NegotiatingProtocol}). Each request's reply goes back to the sender as one message: datagrams numbered 0 to
 * n-1, each with the request's ID, n and at most {@link #MAX_PAYLOAD_BYTES} bytes of the reply.
 *
 * <p>As memcached 1.6 does, a datagram shorter than the header, one announcing a total other
 * than 1 (a multi-datagram request) and the unfinished request at the end of a datagram are
 * dropped without a reply; the sequence number and reserved field of a request are ignored.
 * Nothing carries over from one datagram to the next.
 *
 * <p>A one-datagram reply (every get of a small item) is built in place: the header is reserved
 * in front of the event loop's reply buffer ({@link LoopBuffer#REPLIES}, or a pooled buffer of
 * one datagram's size while that one is lent out) and filled in afterwards, so a get parses,
 * looks up and writes the value once. On epoll it is sent by the handler itself, with the
 * sendto(2) Netty's flush would make, while the socket holds no unsent output
 * ({@link #sendDirectly}); otherwise, and on io_uring and NIO, it goes through the channel in an
 * outbound {@link DatagramPacket}. Netty's datagram channels allocate their own objects per
 * datagram read: the inbound packet, a slice of the loop's read buffer and the sender's address. A
 * longer reply is copied once more into header-and-chunk datagrams, sent through the channel.
 *
 * <p>Not thread-safe: Netty calls it on the socket's event loop only.
 */
final class UdpHandler extends ChannelInboundHandlerAdapter {

    /** The frame header's length, in bytes. */
    static final int HEADER_BYTES = 8;

    /** The most reply bytes one datagram carries after its header, as memcached 1.6 (1400-byte datagrams). */
    static final int MAX_PAYLOAD_BYTES = 1400 - HEADER_BYTES;

    /** The most datagrams one reply may take: the header's total is 16 bits. */
    private static final int MAX_DATAGRAMS = 0xFFFF;

    private static final Logger LOG = LoggerFactory.getLogger(UdpHandler.class);

    private final NegotiatingProtocol protocol;
    private final LoopCounters counters;
    private boolean unflushed;
    /** The socket of an epoll UDP channel, which {@link #sendDirectly} sends from; null on io_uring and NIO. */
    private Socket directSocket;

    /**
     * @param protocol this socket's protocol instance, reset for every datagram
     * @param counters the network counters of the socket's event loop
     */
    UdpHandler(NegotiatingProtocol protocol, LoopCounters counters) {
        this.protocol = protocol;
        this.counters = counters;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        directSocket = DirectSend.socketOf(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        DatagramPacket packet = (DatagramPacket) msg;
        try {
            serve(ctx, packet.content(), packet.sender());
        } finally {
            packet.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (unflushed) {
            unflushed = false;
            ctx.flush();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A UDP socket serves every client: an error (say, ICMP port unreachable for one sender) must not close it.
        if (cause instanceof IOException) {
            LOG.debug("UDP socket error: {}", cause.toString());
        } else {
            LOG.warn("unexpected error on the UDP socket", cause);
        }
    }

    /** Runs the requests of one datagram and sends each one's reply to {@code sender}. */
    private void serve(ChannelHandlerContext ctx, ByteBuf in, InetSocketAddress sender) {
        counters.addBytesRead(in.readableBytes());
        if (in.readableBytes() <= HEADER_BYTES) {
            return;
        }
        int start = in.readerIndex();
        int requestId = in.getUnsignedShort(start);
        int total = in.getUnsignedShort(start + 4);
        if (total != 1) {
            return;
        }
        in.skipBytes(HEADER_BYTES);
        protocol.reset(); // the datagram's first request chooses text or binary anew
        while (in.isReadable()) {
            // sized for a whole datagram, so that a one-datagram reply never grows (a copy) while written
            ByteBuf out = LoopBuffer.REPLIES.lendOrAllocate(ctx.alloc(), HEADER_BYTES + MAX_PAYLOAD_BYTES);
            out.writeZero(HEADER_BYTES);
            Outcome outcome;
            int requestStart = in.readerIndex();
            long started = counters.latency().start();
            try {
                outcome = protocol.process(in, out);
            } catch (RuntimeException e) {
                out.release();
                throw e;
            }
            if (outcome == Outcome.NEED_MORE_INPUT) {
                out.release(); // a truncated request: memcached drops it
                return;
            }
            if (outcome == Outcome.MORE_OUTPUT) {
                out.release(); // a key dump cannot fit the datagrams of one reply: dropped
                protocol.reset();
                return;
            }
            counters.latency().record(in, requestStart, started);
            send(ctx, out, requestId, sender);
            if (outcome == Outcome.CLOSE) {
                return;
            }
        }
    }

    /**
     * Sends one request's reply ({@code reply}: an empty header, then the reply) as numbered
     * datagrams; takes ownership of {@code reply}. A reply is dropped, as memcached drops one it
     * cannot send, when the socket's unsent output is above the high-water mark.
     */
    private void send(ChannelHandlerContext ctx, ByteBuf reply, int requestId, InetSocketAddress sender) {
        int payload = reply.readableBytes() - HEADER_BYTES;
        int datagrams = (payload + MAX_PAYLOAD_BYTES - 1) / MAX_PAYLOAD_BYTES;
        if (payload == 0 || datagrams > MAX_DATAGRAMS || !ctx.channel().isWritable()) {
            reply.release();
            return;
        }
        counters.addBytesWritten(payload);
        if (datagrams == 1) {
            writeHeader(reply, reply.readerIndex(), requestId, 0, 1);
            if (!sendDirectly(ctx, reply, sender)) {
                unflushed = true;
                ctx.write(new DatagramPacket(reply, sender), ctx.voidPromise());
            }
            return;
        }
        unflushed = true;
        ByteBuf framed = ctx.alloc().ioBuffer(payload + datagrams * HEADER_BYTES);
        try {
            int from = reply.readerIndex() + HEADER_BYTES;
            for (int sequence = 0; sequence < datagrams; sequence++) {
                int length = Math.min(MAX_PAYLOAD_BYTES, payload - sequence * MAX_PAYLOAD_BYTES);
                int datagramStart = framed.writerIndex();
                framed.writeZero(HEADER_BYTES);
                writeHeader(framed, datagramStart, requestId, sequence, datagrams);
                framed.writeBytes(reply, from + sequence * MAX_PAYLOAD_BYTES, length);
                ctx.write(new DatagramPacket(framed.retainedSlice(datagramStart, HEADER_BYTES + length), sender),
                        ctx.voidPromise());
            }
        } finally {
            framed.release();
            reply.release();
        }
    }

    /**
     * On epoll, when the socket holds no unsent output (so replies stay in order), sends one
     * datagram itself: the sendto(2) Netty's flush would make, without the envelope, the
     * pipeline's and the outbound buffer's work. An error (an ICMP error queued for an earlier
     * datagram, say) drops this reply, as memcached drops a reply it cannot send.
     *
     * @return true if the datagram was sent or dropped and {@code datagram} released; false if
     *         it is still to be written through the channel (no direct socket, output pending,
     *         or the socket's send buffer full)
     */
    private boolean sendDirectly(ChannelHandlerContext ctx, ByteBuf datagram, InetSocketAddress recipient) {
        if (directSocket == null || unflushed || DirectSend.channelHoldsOutput(ctx.channel()) || !datagram.hasMemoryAddress()) {
            return false;
        }
        try {
            if (directSocket.sendToAddress(datagram.memoryAddress(), datagram.readerIndex(), datagram.writerIndex(),
                    recipient.getAddress(), recipient.getPort()) == 0) {
                return false;
            }
        } catch (IOException e) {
            LOG.debug("UDP reply to {} dropped: {}", recipient, e.toString());
        }
        datagram.release();
        return true;
    }

    private static void writeHeader(ByteBuf buffer, int index, int requestId, int sequence, int total) {
        buffer.setShort(index, requestId);
        buffer.setShort(index + 2, sequence);
        buffer.setShort(index + 4, total);
        buffer.setShort(index + 6, 0);
    }
}
