package dev.mnemo.server;

import dev.mnemo.protocol.NegotiatingProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;

/**
 * One UDP socket of the server on epoll, served without a Netty channel: registered with the
 * event loop's epoll handler as an {@link EpollIoHandle} (level-triggered, readable), it takes
 * up to {@link MnemoServer#DATAGRAMS_PER_READ} waiting datagrams with one recvmmsg(2), runs each
 * one's requests ({@link UdpFrames}) and sends all their replies with one sendmmsg(2)
 * ({@link Mmsg}), each reply datagram two I/O vectors: its frame header and its slice of the
 * replies buffer. memcached makes one recvfrom(2) and one sendmsg(2) a request.
 *
 * <p>Nothing is allocated per datagram: the datagrams are read into slots of one buffer of
 * {@link MnemoServer#DATAGRAMS_PER_READ} × {@link MnemoServer#MAX_DATAGRAM_BYTES} bytes (made at
 * the first datagram), each sender's address stays the
 * {@code sockaddr} the kernel wrote and is handed back to it as the reply's recipient, and the
 * replies of one read share the event loop's {@link LoopBuffer#REPLIES}. Netty's epoll datagram
 * channel allocates an inbound packet, a buffer slice and the sender's address objects per
 * datagram, and its JNI fills a Java object per datagram of a recvmmsg(2)
 * (docs/PERFORMANCE.md, "UDP without a channel").
 *
 * <p>Replies are sent once every datagram of the read is served, or sooner once
 * {@link #SEND_MESSAGES} reply datagrams or {@link #SEND_BYTES} bytes of replies are waiting, so
 * a socket holds at most that much beyond the reply being written. When a sendmmsg(2) fails
 * (the send buffer full, or a datagram the kernel refuses: its errno is not read,
 * {@link Mmsg#sendmmsg}), the datagrams it had not sent are dropped. memcached drops a UDP reply
 * on an error but waits for room when the send buffer is full, reading nothing meanwhile; here
 * the socket never waits, so it never stops reading, and UDP promises no delivery either way.
 *
 * <p>Not thread-safe: the event loop calls {@link #handle}; {@link #close} runs on the loop too.
 */
final class UdpSocket implements EpollIoHandle, UdpFrames.Replies {

    /** The most reply datagrams one sendmmsg(2) sends. */
    static final int SEND_MESSAGES = 64;

    /** Reply bytes after which the waiting replies are sent before serving on. */
    static final int SEND_BYTES = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(UdpSocket.class);
    private static final int SLOT_BYTES = MnemoServer.MAX_DATAGRAM_BYTES;
    private static final int SLOTS = MnemoServer.DATAGRAMS_PER_READ;

    private final Socket socket;
    private final IoEventLoop loop;
    private final NegotiatingProtocol protocol;
    private final LoopCounters counters;
    private final Arena arena = Arena.ofShared();
    /** {@link #SLOTS} {@code struct mmsghdr} for recvmmsg(2), each naming its slot of {@link #reads} and its {@link #senders} entry. */
    private final MemorySegment received;
    /** {@link #SLOTS} {@code struct sockaddr_storage}: the senders of the datagrams last read. */
    private final MemorySegment senders;
    /** {@link #SEND_MESSAGES} {@code struct mmsghdr} for sendmmsg(2), each with two I/O vectors. */
    private final MemorySegment sending;
    private final MemorySegment sendVectors;
    /** {@link #SEND_MESSAGES} frame headers of {@link UdpFrames#HEADER_BYTES}. */
    private final ByteBuf frameHeaders;
    /** {@link #SLOTS} {@code struct iovec}, one per read slot. */
    private final MemorySegment readVectors;
    /** The read slots, made at the first datagram; the datagram being served is its readable bytes. */
    private ByteBuf reads;
    /** Per waiting reply datagram: its payload's index in {@link #replies} and its length in bytes. */
    private final int[] payloadIndex = new int[SEND_MESSAGES];
    private final int[] payloadBytes = new int[SEND_MESSAGES];
    private IoRegistration registration;
    /** The replies of the read being served; null between reads. */
    private ByteBuf replies;
    /** Reply datagrams waiting in {@link #sending}. */
    private int waiting;
    /** The slot of the datagram being served: its sender is the recipient of the replies queued now. */
    private int sender;
    private boolean closed;

    private UdpSocket(Socket socket, IoEventLoop loop, NegotiatingProtocol protocol, LoopCounters counters) {
        this.socket = socket;
        this.loop = loop;
        this.protocol = protocol;
        this.counters = counters;
        this.received = arena.allocate(SLOTS * Mmsg.MMSGHDR_BYTES, 8);
        this.senders = arena.allocate(SLOTS * Mmsg.SOCKADDR_BYTES, 8);
        this.readVectors = arena.allocate(SLOTS * Mmsg.IOVEC_BYTES, 8);
        this.sending = arena.allocate(SEND_MESSAGES * Mmsg.MMSGHDR_BYTES, 8);
        this.sendVectors = arena.allocate(2L * SEND_MESSAGES * Mmsg.IOVEC_BYTES, 8);
        this.frameHeaders = Unpooled.directBuffer(SEND_MESSAGES * UdpFrames.HEADER_BYTES);
        long headersAddress = addressOf(frameHeaders);
        for (int i = 0; i < SLOTS; i++) {
            MemorySegment header = received.asSlice(i * Mmsg.MMSGHDR_BYTES, Mmsg.MMSGHDR_BYTES);
            header.set(ValueLayout.ADDRESS, Mmsg.NAME, senders.asSlice(i * Mmsg.SOCKADDR_BYTES));
            header.set(ValueLayout.ADDRESS, Mmsg.IOV, readVectors.asSlice(i * Mmsg.IOVEC_BYTES));
            header.set(ValueLayout.JAVA_LONG, Mmsg.IOV_LENGTH, 1);
        }
        for (int k = 0; k < SEND_MESSAGES; k++) {
            MemorySegment header = sending.asSlice(k * Mmsg.MMSGHDR_BYTES, Mmsg.MMSGHDR_BYTES);
            header.set(ValueLayout.ADDRESS, Mmsg.IOV, sendVectors.asSlice(2L * k * Mmsg.IOVEC_BYTES));
            header.set(ValueLayout.JAVA_LONG, Mmsg.IOV_LENGTH, 2);
            sendVectors.set(ValueLayout.JAVA_LONG, 2L * k * Mmsg.IOVEC_BYTES, headersAddress + (long) k * UdpFrames.HEADER_BYTES);
            sendVectors.set(ValueLayout.JAVA_LONG, 2L * k * Mmsg.IOVEC_BYTES + 8, UdpFrames.HEADER_BYTES);
        }
    }

    /** @return whether this platform can serve UDP this way: {@link Mmsg#isAvailable} */
    static boolean isAvailable() {
        return Mmsg.isAvailable();
    }

    /**
     * Opens a UDP socket bound to {@code address} with SO_REUSEADDR and SO_REUSEPORT (so that
     * each event loop has its own socket on the port and the kernel spreads datagrams across
     * them) and registers it with {@code loop}, which serves it from then on.
     *
     * @param loop     an epoll event loop
     * @param protocol the socket's own protocol instance, reset for every datagram
     * @param counters the network counters of {@code loop}
     * @return the socket, serving
     * @throws IOException if the socket cannot be made or bound (the address in use without
     *                     SO_REUSEPORT, say); nothing is left open then
     */
    static UdpSocket open(IoEventLoop loop, InetSocketAddress address, NegotiatingProtocol protocol, LoopCounters counters)
            throws IOException {
        Socket socket = Socket.newSocketDgram();
        UdpSocket udp = null;
        try {
            socket.setReuseAddress(true);
            socket.setReusePort(true);
            socket.bind(address);
            udp = new UdpSocket(socket, loop, protocol, counters);
            udp.registration = loop.register(udp).syncUninterruptibly().getNow();
            udp.registration.submit(EpollIoOps.EPOLLIN);
            return udp;
        } catch (IOException | RuntimeException e) {
            if (udp != null) {
                udp.close();
            } else {
                socket.close();
            }
            throw e;
        }
    }

    /** @return the event loop serving this socket */
    IoEventLoop loop() {
        return loop;
    }

    /** @return the address the socket is bound to */
    InetSocketAddress localAddress() {
        return socket.localAddress();
    }

    @Override
    public FileDescriptor fd() {
        return socket;
    }

    /** Serves the waiting datagrams: readable (or an error to read) is the only event registered for. */
    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        if (closed) {
            return;
        }
        if (reads == null) {
            makeReadSlots();
        }
        for (int i = 0; i < SLOTS; i++) {
            received.set(ValueLayout.JAVA_INT, i * Mmsg.MMSGHDR_BYTES + Mmsg.NAME_LENGTH, (int) Mmsg.SOCKADDR_BYTES);
        }
        int count = Mmsg.recvmmsg(socket.intValue(), received, SLOTS);
        if (count <= 0) {
            return; // none waiting, or an error the read cleared (an ICMP error for an earlier reply)
        }
        replies = LoopBuffer.REPLIES.lendOrAllocate(ByteBufAllocator.DEFAULT, UdpFrames.HEADER_BYTES + UdpFrames.MAX_PAYLOAD_BYTES);
        try {
            for (int i = 0; i < count; i++) {
                int length = received.get(ValueLayout.JAVA_INT, i * Mmsg.MMSGHDR_BYTES + Mmsg.LENGTH);
                reads.setIndex(i * SLOT_BYTES, i * SLOT_BYTES + length);
                sender = i;
                try {
                    UdpFrames.serve(reads, replies, protocol, counters, this);
                } catch (RuntimeException e) {
                    LOG.warn("unexpected error serving a UDP datagram", e);
                }
            }
            sendWaiting();
        } finally {
            replies.release();
            replies = null;
        }
    }

    /**
     * Makes the read slots, at the first readable event: a socket that never gets a datagram
     * holds no read buffer. The buffer is its own, exactly {@link #SLOTS} × {@link #SLOT_BYTES}
     * (1 MiB, resident once made: Netty's direct buffers on this JDK are zeroed memory); one
     * from the pooled allocator took a chunk of 8 MiB.
     */
    private void makeReadSlots() {
        reads = Unpooled.directBuffer(SLOTS * SLOT_BYTES, SLOTS * SLOT_BYTES);
        long address = addressOf(reads);
        for (int i = 0; i < SLOTS; i++) {
            readVectors.set(ValueLayout.JAVA_LONG, i * Mmsg.IOVEC_BYTES, address + (long) i * SLOT_BYTES);
            readVectors.set(ValueLayout.JAVA_LONG, i * Mmsg.IOVEC_BYTES + 8, SLOT_BYTES);
        }
    }

    /** Queues a reply's datagrams for sendmmsg(2) ({@link UdpFrames.Replies#send}). */
    @Override
    public void send(ByteBuf out, int start, int requestId, int datagrams) {
        int payload = out.writerIndex() - start - UdpFrames.HEADER_BYTES;
        int from = start + UdpFrames.HEADER_BYTES;
        long recipient = (long) sender * Mmsg.SOCKADDR_BYTES;
        int recipientBytes = received.get(ValueLayout.JAVA_INT, sender * Mmsg.MMSGHDR_BYTES + Mmsg.NAME_LENGTH);
        for (int sequence = 0; sequence < datagrams; sequence++) {
            if (waiting == SEND_MESSAGES) {
                sendWaiting();
            }
            int k = waiting++;
            UdpFrames.writeHeader(frameHeaders, k * UdpFrames.HEADER_BYTES, requestId, sequence, datagrams);
            long message = k * Mmsg.MMSGHDR_BYTES;
            sending.set(ValueLayout.JAVA_LONG, message + Mmsg.NAME, senders.address() + recipient);
            sending.set(ValueLayout.JAVA_INT, message + Mmsg.NAME_LENGTH, recipientBytes);
            payloadIndex[k] = from + sequence * UdpFrames.MAX_PAYLOAD_BYTES;
            payloadBytes[k] = UdpFrames.payloadOf(payload, sequence);
        }
        if (out.writerIndex() >= SEND_BYTES) {
            sendWaiting();
            out.clear();
        }
    }

    /**
     * Sends the waiting reply datagrams with as few sendmmsg(2) calls as the kernel takes them
     * in; drops the rest when one fails (the send buffer full, or a datagram the kernel refuses).
     */
    private void sendWaiting() {
        if (waiting == 0) {
            return;
        }
        long repliesAddress = addressOf(replies);
        for (int k = 0; k < waiting; k++) {
            long vector = (2L * k + 1) * Mmsg.IOVEC_BYTES;
            sendVectors.set(ValueLayout.JAVA_LONG, vector, repliesAddress + payloadIndex[k]);
            sendVectors.set(ValueLayout.JAVA_LONG, vector + 8, payloadBytes[k]);
        }
        int first = 0;
        while (first < waiting) {
            MemorySegment from = first == 0 ? sending : sending.asSlice(first * Mmsg.MMSGHDR_BYTES);
            int sent = Mmsg.sendmmsg(socket.intValue(), from, waiting - first);
            if (sent <= 0) {
                LOG.debug("UDP send failed: {} reply datagrams dropped", waiting - first);
                break;
            }
            for (int k = first; k < first + sent; k++) {
                counters.addBytesWritten(payloadBytes[k]);
            }
            first += sent;
        }
        waiting = 0;
    }

    /** @return the native address of {@code buffer}'s index 0 */
    private static long addressOf(ByteBuf buffer) {
        return buffer.hasMemoryAddress() ? buffer.memoryAddress()
                : MemorySegment.ofBuffer(buffer.internalNioBuffer(0, buffer.capacity())).address();
    }

    /**
     * Stops serving and closes the socket: called on the event loop, by {@link #closeOnLoop} or
     * by the loop itself when it shuts down. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (registration != null) {
            registration.cancel();
        }
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("closing the UDP socket: {}", e.toString());
        }
        if (reads != null) {
            reads.release();
        }
        frameHeaders.release();
        arena.close();
    }

    /** Closes the socket on its event loop and waits for that; call from outside the loop. */
    void closeOnLoop() {
        if (loop.isShuttingDown()) {
            return; // the loop closes its registered handles as it stops
        }
        loop.submit(this::close).syncUninterruptibly();
    }
}
