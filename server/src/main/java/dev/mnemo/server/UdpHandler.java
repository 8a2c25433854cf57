package dev.mnemo.server;

import dev.mnemo.protocol.NegotiatingProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * One UDP socket of the server on io_uring and NIO, as a Netty channel handler: runs each
 * datagram's requests with memcached's UDP framing ({@link UdpFrames}) and writes each reply
 * through the channel, flushed once per read. On epoll the server reads and answers its UDP
 * sockets without a channel ({@link UdpSocket}).
 *
 * <p>The replies of one datagram are written into one buffer (the event loop's
 * {@link LoopBuffer#REPLIES}, or a pooled one while that one is lent out), each a slice of it in
 * an outbound {@link DatagramPacket}: a one-datagram reply (every get of a small item) has its
 * header filled in the room {@link UdpFrames#serve} left in front of it, so a get parses, looks
 * up and writes the value once. A longer reply is copied once more into header-and-chunk
 * datagrams. A reply is dropped, as memcached drops one it cannot send, when the socket's unsent
 * output is above the high-water mark.
 *
 * <p>Not thread-safe: Netty calls it on the socket's event loop only.
 */
final class UdpHandler extends ChannelInboundHandlerAdapter implements UdpFrames.Replies {

    private static final Logger LOG = LoggerFactory.getLogger(UdpHandler.class);

    private final NegotiatingProtocol protocol;
    private final LoopCounters counters;
    private boolean unflushed;
    /** The context and sender of the datagram being served, for {@link #send}; null between datagrams. */
    private ChannelHandlerContext ctx;
    private InetSocketAddress sender;

    /**
     * @param protocol this socket's protocol instance, reset for every datagram
     * @param counters the network counters of the socket's event loop
     */
    UdpHandler(NegotiatingProtocol protocol, LoopCounters counters) {
        this.protocol = protocol;
        this.counters = counters;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        DatagramPacket packet = (DatagramPacket) msg;
        // sized for a whole datagram, so that a one-datagram reply never grows (a copy) while written
        ByteBuf out = LoopBuffer.REPLIES.lendOrAllocate(ctx.alloc(), UdpFrames.HEADER_BYTES + UdpFrames.MAX_PAYLOAD_BYTES);
        this.ctx = ctx;
        this.sender = packet.sender();
        try {
            UdpFrames.serve(packet.content(), out, protocol, counters, this);
        } finally {
            this.ctx = null;
            this.sender = null;
            out.release();
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

    /** Writes one request's reply ({@link UdpFrames.Replies#send}) to the datagram's sender as numbered datagrams. */
    @Override
    public void send(ByteBuf out, int start, int requestId, int datagrams) {
        if (!ctx.channel().isWritable()) {
            return;
        }
        int payload = out.writerIndex() - start - UdpFrames.HEADER_BYTES;
        counters.addBytesWritten(payload);
        unflushed = true;
        if (datagrams == 1) {
            UdpFrames.writeHeader(out, start, requestId, 0, 1);
            ctx.write(new DatagramPacket(out.retainedSlice(start, UdpFrames.HEADER_BYTES + payload), sender),
                    ctx.voidPromise());
            return;
        }
        ByteBuf framed = ctx.alloc().ioBuffer(payload + datagrams * UdpFrames.HEADER_BYTES);
        try {
            int from = start + UdpFrames.HEADER_BYTES;
            for (int sequence = 0; sequence < datagrams; sequence++) {
                int length = UdpFrames.payloadOf(payload, sequence);
                int datagramStart = framed.writerIndex();
                framed.writeZero(UdpFrames.HEADER_BYTES);
                UdpFrames.writeHeader(framed, datagramStart, requestId, sequence, datagrams);
                framed.writeBytes(out, from + sequence * UdpFrames.MAX_PAYLOAD_BYTES, length);
                ctx.write(new DatagramPacket(framed.retainedSlice(datagramStart, UdpFrames.HEADER_BYTES + length), sender),
                        ctx.voidPromise());
            }
        } finally {
            framed.release();
        }
    }
}
