package dev.mnemo.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;

/**
 * When a connection may send replies itself, with the one send(2) Netty's flush would make,
 * instead of writing them through the channel ({@link ConnectionHandler}): on an epoll channel
 * whose pipeline has no outbound handler (TLS has one), while the channel holds no output of its
 * own, so that replies stay in order. (UDP on epoll has no channel: {@link UdpSocket}.)
 * io_uring submits its writes to the ring, so there every reply goes through the channel.
 */
final class DirectSend {

    private DirectSend() {
    }

    /**
     * @param ctx the handler's context, in {@code handlerAdded} or later
     * @return the socket of the handler's epoll TCP channel with no outbound handler in
     *         its pipeline; null for any other (io_uring, NIO, TLS, an embedded channel)
     */
    static Socket socketOf(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        if (channel instanceof AbstractEpollStreamChannel && ctx.pipeline().context(ChannelOutboundHandler.class) == null
                && ((UnixChannel) channel).fd() instanceof Socket socket) {
            return socket;
        }
        return null;
    }

    /**
     * @return whether the channel holds output written to it and not yet sent (flushed or not),
     *         or has no outbound buffer (it is closed): then nothing may be sent past it
     */
    static boolean channelHoldsOutput(Channel channel) {
        ChannelOutboundBuffer pending = channel.unsafe().outboundBuffer();
        return pending == null || pending.totalPendingWriteBytes() != 0 || !pending.isEmpty();
    }
}
