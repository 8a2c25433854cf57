package dev.mnemo.server;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Linux's recvmmsg(2) and sendmmsg(2), called through the JDK's foreign function API, and the
 * layout of the arrays they take: {@code struct mmsghdr} (a {@code struct msghdr} and the
 * byte count the call fills in), {@code struct iovec} and room for a {@code struct
 * sockaddr_storage}. Netty's epoll datagram channel makes the same calls, but fills a Java
 * object per datagram through JNI and makes the sender's address as Java objects; these write
 * and read only native memory, so a datagram costs no allocation ({@link UdpSocket}).
 *
 * <p>The offsets are those of the 64-bit Linux ABIs (x86-64, AArch64, and the other LP64 ones);
 * {@link #isAvailable} is false elsewhere. Thread-safe: stateless.
 */
final class Mmsg {

    /** Bytes of one {@code struct mmsghdr}: a 56-byte {@code struct msghdr}, the 4-byte {@code msg_len}, padding. */
    static final long MMSGHDR_BYTES = 64;
    /** Offset of {@code msg_name}, the peer's address (a pointer). */
    static final long NAME = 0;
    /** Offset of {@code msg_namelen}, the bytes of the peer's address (a 32-bit socklen_t). */
    static final long NAME_LENGTH = 8;
    /** Offset of {@code msg_iov}, the message's I/O vectors (a pointer). */
    static final long IOV = 16;
    /** Offset of {@code msg_iovlen}, how many I/O vectors (a 64-bit size_t). */
    static final long IOV_LENGTH = 24;
    /** Offset of {@code msg_len}, the bytes received or sent (32 bits, filled in by the call). */
    static final long LENGTH = 56;

    /** Bytes of one {@code struct iovec}: the base pointer, then the 64-bit length. */
    static final long IOVEC_BYTES = 16;
    /** Bytes of a {@code struct sockaddr_storage}, room for any peer address. */
    static final long SOCKADDR_BYTES = 128;

    /** recvmmsg's flag not to block: the socket is read only when epoll says it is readable. */
    private static final int MSG_DONTWAIT = 0x40;

    private static final MethodHandle RECVMMSG;
    private static final MethodHandle SENDMMSG;

    static {
        MethodHandle recv = null;
        MethodHandle send = null;
        if (ValueLayout.ADDRESS.byteSize() == 8 && System.getProperty("os.name").startsWith("Linux")) {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            Optional<MemorySegment> recvmmsg = libc.find("recvmmsg");
            Optional<MemorySegment> sendmmsg = libc.find("sendmmsg");
            if (recvmmsg.isPresent() && sendmmsg.isPresent()) {
                recv = linker.downcallHandle(recvmmsg.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS));
                send = linker.downcallHandle(sendmmsg.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            }
        }
        RECVMMSG = recv;
        SENDMMSG = send;
    }

    private Mmsg() {
    }

    /** @return whether this platform has the calls with the layout above (64-bit Linux) */
    static boolean isAvailable() {
        return RECVMMSG != null;
    }

    /**
     * recvmmsg(2) without blocking and without a timeout. The errno of a failure is not read:
     * capturing it (the linker's captureCallState) allocated a few bytes a call here, and the
     * socket's one use of it would be a log line.
     *
     * @param messages {@code count} {@code struct mmsghdr}, each naming its buffer and room for the sender's address
     * @return the datagrams received (each header's {@code msg_len} and {@code msg_namelen} filled
     *         in), or -1: none waiting (EAGAIN), or an error the call reported and cleared (an ICMP
     *         error queued for an earlier reply, say)
     */
    static int recvmmsg(int fd, MemorySegment messages, int count) {
        try {
            return (int) RECVMMSG.invokeExact(fd, messages, count, MSG_DONTWAIT, MemorySegment.NULL);
        } catch (Throwable e) {
            throw new IllegalStateException("recvmmsg", e);
        }
    }

    /**
     * sendmmsg(2). The errno of a failure is not read, as for {@link #recvmmsg}.
     *
     * @param messages {@code count} {@code struct mmsghdr}, each naming its recipient and I/O vectors
     * @return the datagrams sent, from the first (fewer than {@code count} when one failed:
     *         calling again from it fails), or -1 when the first failed (the send buffer full:
     *         EAGAIN, or the kernel refused it)
     */
    static int sendmmsg(int fd, MemorySegment messages, int count) {
        try {
            return (int) SENDMMSG.invokeExact(fd, messages, count, 0);
        } catch (Throwable e) {
            throw new IllegalStateException("sendmmsg", e);
        }
    }
}
