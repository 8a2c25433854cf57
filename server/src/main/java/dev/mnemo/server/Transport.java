package dev.mnemo.server;

import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;

/**
 * The Netty transports Mnemo can run on (--transport): Linux epoll and io_uring (native
 * libraries for Linux x86_64, shipped in the jar) and Java NIO (everywhere).
 *
 * <p>Thread-safe (immutable); availability is probed once by Netty on first use.
 */
enum Transport {

    EPOLL("epoll"),
    IO_URING("io_uring"),
    NIO("nio");

    private final String cliName;

    Transport(String cliName) {
        this.cliName = cliName;
    }

    /** @return the name --transport takes and the logs show: epoll, io_uring or nio */
    String cliName() {
        return cliName;
    }

    /**
     * @param name a --transport value other than auto
     * @return the transport of that name, or null if there is none
     */
    static Transport named(String name) {
        for (Transport transport : values()) {
            if (transport.cliName.equals(name)) {
                return transport;
            }
        }
        return null;
    }

    /** @return whether the transport works here (native library loaded, kernel support); NIO always does */
    boolean isAvailable() {
        return switch (this) {
            case EPOLL -> Epoll.isAvailable();
            case IO_URING -> IoUring.isAvailable();
            case NIO -> true;
        };
    }

    /** @return why the transport does not work here, or null if it does */
    String unavailabilityCause() {
        Throwable cause = switch (this) {
            case EPOLL -> Epoll.unavailabilityCause();
            case IO_URING -> IoUring.unavailabilityCause();
            case NIO -> null;
        };
        return cause == null ? null : String.valueOf(cause.getMessage() != null ? cause.getMessage() : cause);
    }

    /**
     * @return the factory of the event loops' I/O handlers, their registration maps spread
     *         ({@link SpreadRegistrations}); only for an available transport
     */
    IoHandlerFactory ioHandlerFactory() {
        return switch (this) {
            case EPOLL -> SpreadRegistrations.installedBy(EpollIoHandler.newFactory());
            case IO_URING -> SpreadRegistrations.installedBy(IoUringIoHandler.newFactory());
            case NIO -> NioIoHandler.newFactory();
        };
    }

    /** @return the TCP listener's channel class */
    Class<? extends ServerChannel> serverChannel() {
        return switch (this) {
            case EPOLL -> EpollServerSocketChannel.class;
            case IO_URING -> IoUringServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
        };
    }

    /** @return the UDP socket's channel class */
    Class<? extends DatagramChannel> datagramChannel() {
        return switch (this) {
            case EPOLL -> EpollDatagramChannel.class;
            case IO_URING -> IoUringDatagramChannel.class;
            case NIO -> NioDatagramChannel.class;
        };
    }

    /**
     * @return the SO_REUSEPORT option that lets one UDP socket per event loop bind the same port
     *         (the kernel then spreads datagrams across them), or null where there is none (NIO:
     *         one UDP socket)
     */
    ChannelOption<Boolean> reusePort() {
        return switch (this) {
            case EPOLL -> EpollChannelOption.SO_REUSEPORT;
            case IO_URING -> IoUringChannelOption.SO_REUSEPORT;
            case NIO -> null;
        };
    }
}
