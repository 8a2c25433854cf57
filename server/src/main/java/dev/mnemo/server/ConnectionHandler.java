package dev.mnemo.server;

import dev.mnemo.protocol.ConnectionInfo;
import dev.mnemo.protocol.LogWatcher;
import dev.mnemo.protocol.NegotiatingProtocol;
import dev.mnemo.protocol.Outcome;
import dev.mnemo.protocol.TextProtocol;
import dev.mnemo.protocol.WatchLog;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.unix.Socket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One client connection: cumulates its inbound bytes, runs memcached's text or binary protocol
 * over them on the event loop that read them (the first byte of the connection decides, as in
 * memcached: {@link NegotiatingProtocol}), and sends the replies to all requests of one read with
 * one write and one flush (DESIGN.md, "Data flow").
 *
 * <p>Backpressure: when the connection's unsent output passes the channel's high-water mark
 * ({@link MnemoServer#WATER_MARK}) the handler stops reading from the socket and stops
 * processing the requests it already holds, until the output drains below the low-water mark.
 * A client that pipelines requests without reading the replies therefore holds at most about
 * high-water mark + {@link #WRITE_CHUNK_BYTES} + one reply of server memory.
 *
 * <p>Inbound memory is bounded too: the protocol discards over-long data blocks itself and
 * limits command lines to {@value TextProtocol#MAX_LINE_LENGTH} bytes, so the cumulation never
 * holds more than one storage request (line + data block of at most the max item size) plus one socket read
 * ({@link MnemoServer#MAX_READ_BYTES}). Holding more means a protocol bug; the connection is then
 * closed rather than let memory grow. An idle connection holds no buffer: the cumulation is
 * released as soon as the requests in it are consumed, and one that keeps only the start of a
 * request (a partial command line, a data block still arriving) keeps a buffer about the size
 * of those bytes, not of the socket read that brought them (issue 16, slow clients). Once a
 * storage request's command line (or binary header) has arrived, its buffer is sized for the
 * whole request, but never more than {@value #AHEAD_BYTES} bytes (or the bytes held, if more)
 * ahead of what arrived, so a large data block grows by doubling, and never past the loop's
 * budget for such room ({@link LoopCounters#grantAhead}; past it a block grows as its bytes
 * arrive). On epoll the socket then reads the rest of the request straight into that buffer
 * ({@link #awaitedInput}), so a value is copied once more only into the store, as memcached
 * reads a data block into its item.
 *
 * <p>With {@code -o idle_timeout} the server's {@link IdleTimeout} closes a connection that has
 * completed no command for longer than the timeout, as memcached does: only while it waits for
 * a command (memcached's conn_read), not while it receives a data block, is throttled, streams a
 * reply or a log ("watch").
 *
 * <p>Not thread-safe: Netty calls every method on the channel's event loop. {@link #info} may be
 * called from any thread and reads a recent, not necessarily current, state.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {

    /** Unsent replies are handed to the channel (not yet flushed) once they reach this size, in bytes. */
    static final int WRITE_CHUNK_BYTES = 64 * 1024;

    /**
     * Unused capacity, in bytes, that a buffer holding a partial request may keep before
     * {@link #fitHeldInput} moves the request to a buffer of its size: a partial command line
     * of memcached's {@value TextProtocol#MAX_LINE_LENGTH} bytes at most is worth a copy.
     */
    static final int FIT_SLACK_BYTES = 512;

    /**
     * How far, in bytes, the buffer of a request whose length is known may be sized ahead of the
     * bytes that have arrived (or the bytes held, if more): a data block of up to about this size
     * is read into one buffer of its size; a larger one grows by doubling. A client that sends
     * storage command lines and stalls costs at most this much per connection.
     */
    static final int AHEAD_BYTES = 128 * 1024;

    /** memcached 1.6's reply to a connection over the limit (-c), after which it closes. */
    private static final byte[] TOO_MANY_CONNECTIONS =
            "ERROR Too many open connections\r\n".getBytes(StandardCharsets.US_ASCII);

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionHandler.class);

    private final MnemoServer server;
    private final NegotiatingProtocol protocol;
    private final LoopCounters counters;
    private final int id;
    private final long maxInboundBytes;

    /** Received bytes not yet consumed by the protocol; null when there are none. */
    private ByteBuf in;
    /** Room in {@link #in} ahead of the held bytes taken from the loop's budget, in bytes; 0 when none. */
    private int aheadGrant;
    /** The part of {@link #in} last lent to a socket read by {@link #awaitedInput}; null when none. */
    private ByteBuf lentInput;
    /** Replies not yet handed to the channel; null when there are none. */
    private ByteBuf out;
    private boolean admitted;
    private boolean paused;
    private boolean closing;
    /** Whether the client shut down its side: close once what it sent is answered. */
    private boolean inputShutdown;
    /** Whether a {@link #resumeStream} is queued on the loop: one at a time, however many reads arrive. */
    private boolean streamScheduled;
    private boolean unflushed;
    /** The log stream this connection became with "watch", or null. */
    private LogWatcher watcher;
    /** What "watch connevents" says closed the connection: normal, error or idle_timeout. */
    private String closeReason = "normal";
    /** Set in handlerAdded; the addresses "stats conns" and the logs show are read from it when asked. */
    private Channel channel;
    /**
     * The socket of an epoll connection without TLS (no outbound handler in the pipeline), which
     * {@link #sendDirectly} sends to itself while the channel holds no output; null on io_uring
     * (its writes are submitted to the ring), NIO and TLS.
     */
    private Socket directSocket;
    /** The initial capacity, in bytes, of a reply buffer allocated while the loop's is lent out (Netty's ioBuffer() default). */
    private static final int REPLY_BYTES = 256;

    /** memcached's name for what the connection is doing: conn_read (waiting for a request), conn_parse_cmd, conn_mwrite (throttled). */
    private volatile String state = "conn_read";
    /**
     * The {@link CurrentTime#nanos()} of the connection's last command (its opening before the
     * first), for "stats conns" and the idle timeout. The time moves on a few times a second, so
     * a request writes this (a fence on x86) only when the time has moved since the last one.
     */
    private volatile long lastCommandNanos;

    /**
     * @param server   the server this connection belongs to
     * @param protocol the connection's own protocol instance (text or binary, as its first byte says)
     * @param counters the network counters of the channel's event loop
     * @param id       the connection's number, for logs and "stats conns"
     */
    ConnectionHandler(MnemoServer server, NegotiatingProtocol protocol, LoopCounters counters, int id) {
        this.server = server;
        this.protocol = protocol;
        this.counters = counters;
        this.id = id;
        this.maxInboundBytes = (long) server.settings().maxItemSize() + 2L * TextProtocol.MAX_LINE_LENGTH + MnemoServer.MAX_READ_BYTES;
        this.lastCommandNanos = server.currentTime().nanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        directSocket = DirectSend.socketOf(ctx);
        // on epoll (each read allocates its buffer just before the read, on this loop) the rest
        // of a request may be read into place; io_uring allocates reads ahead, TLS decrypts first
        if (directSocket != null && channel.config().getRecvByteBufAllocator() instanceof LoopReadAllocator loops) {
            channel.config().setRecvByteBufAllocator(loops.readingInto(this::awaitedInput));
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!server.admitConnection(ctx.channel())) {
            closing = true;
            if (server.verbosity() > 0) {
                LOG.info("<{} refused {}: too many open connections", id, peer());
            }
            ctx.writeAndFlush(Unpooled.wrappedBuffer(TOO_MANY_CONNECTIONS)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        admitted = true;
        logConnection(ctx, null);
        if (server.verbosity() > 0) {
            LOG.info("<{} new client connection from {}", id, peer());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (admitted) {
            admitted = false;
            server.connectionClosed();
            logConnection(ctx, closeReason);
            if (watcher != null) {
                server.watchLog().detach(watcher);
            }
            if (server.verbosity() > 0) {
                LOG.info("<{} connection closed", id);
            }
        }
        releaseBuffers();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseBuffers();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf data = (ByteBuf) msg;
        if (closing || watcher != null) { // a log stream reads no requests, as memcached's conn_watch
            data.release();
            return;
        }
        counters.addBytesRead(data.readableBytes());
        if (data == lentInput) { // read into place, just after the held bytes
            lentInput = null;
            in.writerIndex(in.writerIndex() + data.readableBytes());
            data.release();
        } else if (in == null) {
            in = data; // the common case, whole requests in one read: no copy
        } else {
            cumulate(ctx, data);
        }
        processInput(ctx);
        returnAhead();
        if (in != null && !paused) { // a throttled connection's held requests wait whole, uncopied
            prepareHeldInput(ctx);
        }
    }

    /**
     * The next socket read's buffer while the held request's length is known (called by the
     * channel's {@link LoopReadAllocator} on epoll): the free part of {@link #in} just after the
     * held bytes, at most as long as the rest of the request, so that it arrives in place. The
     * caller owns the returned buffer (a retained slice of {@link #in}) and releases it.
     *
     * @return the buffer to read into, or null to read as usual
     */
    ByteBuf awaitedInput() {
        if (in == null || closing || !in.isWritable()) {
            return null;
        }
        int rest = protocol.awaitedRequestBytes() - in.readableBytes();
        if (rest <= 0) {
            return null;
        }
        lentInput = in.retainedSlice(in.writerIndex(), Math.min(rest, in.writableBytes())).clear();
        return lentInput;
    }

    /**
     * After a read left the start of a request held: when its length is known (a storage
     * request's line or header has arrived: {@link NegotiatingProtocol#awaitedRequestBytes()}),
     * makes room for the rest, at most {@link #AHEAD_BYTES} (or the bytes held) ahead of them and
     * as much as the loop's budget grants; otherwise keeps the held bytes in a buffer about their
     * size ({@link #fitHeldInput}).
     */
    private void prepareHeldInput(ChannelHandlerContext ctx) {
        int held = in.readableBytes();
        int wanted = protocol.awaitedRequestBytes();
        if (wanted <= held) {
            fitHeldInput(ctx);
            return;
        }
        int ahead = Math.min(wanted - held, Math.max(held, AHEAD_BYTES));
        if (!counters.grantAhead(ahead)) {
            fitHeldInput(ctx); // the loop's budget is spent: the block grows as its bytes arrive
            return;
        }
        aheadGrant = ahead;
        int room = held + ahead;
        // move when the free part is too small to be worth a read (so a buffer grows about
        // twofold at a time) or the buffer is much larger than the request (the loop's read buffer)
        boolean cramped = in.writableBytes() < Math.min(room - held, AHEAD_BYTES / 2);
        if (cramped || (in.capacity() > 2 * room && in.capacity() - room > FIT_SLACK_BYTES)) {
            moveHeldInput(ctx, room);
        }
    }

    /**
     * Appends a read to the held start of a request. When it does not fit, the held bytes move
     * to a new buffer of twice their size (or of what they and the read need): the consumed bytes
     * before them are dropped rather than copied, and a data block arriving in many reads is
     * copied O(1) times per byte on average.
     */
    private void cumulate(ChannelHandlerContext ctx, ByteBuf data) {
        int held = in.readableBytes();
        int arriving = data.readableBytes();
        if (in.writableBytes() < arriving) {
            long doubled = Math.min(2L * held, maxInboundBytes);
            moveHeldInput(ctx, (int) Math.max(held + arriving, Math.min(doubled, Integer.MAX_VALUE)));
        }
        in.writeBytes(data);
        data.release();
    }

    /**
     * After a read left the start of a request held: if it sits in a buffer much larger than
     * itself (a socket read of up to {@link MnemoServer#MAX_READ_BYTES} that brought it, or a
     * buffer grown for requests since consumed), moves it to a buffer of its own size and
     * releases the large one to the pool. A slow client's partial line then costs its bytes.
     */
    private void fitHeldInput(ChannelHandlerContext ctx) {
        int held = in.readableBytes();
        if (in.capacity() - held > FIT_SLACK_BYTES && in.capacity() > 2 * held) {
            moveHeldInput(ctx, held);
        }
    }

    /** Moves the held input's unread bytes to a new buffer of {@code capacity} bytes and releases the old one. */
    private void moveHeldInput(ChannelHandlerContext ctx, int capacity) {
        ByteBuf moved = ctx.alloc().directBuffer(capacity);
        moved.writeBytes(in);
        in.release();
        in = moved;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flushOutput(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (watcher != null) {
            drainWatch(ctx);
            return;
        }
        if (paused && ctx.channel().isWritable()) {
            paused = false;
            processInput(ctx);
            flushOutput(ctx);
            if (!paused && !closing) {
                ctx.channel().config().setAutoRead(true);
            }
            closeIfAnswered(ctx);
        }
    }

    /**
     * The client shut down its side (FIN; the channel allows half-closure): the connection
     * closes once every request read before it is answered and written, as memcached answers
     * what it read before the end of the stream and then closes. A streaming reply (a key dump)
     * or requests held back by backpressure finish first; a log stream ("watch") closes at once.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
            if (watcher != null) {
                closing = true;
                ctx.close();
            } else {
                closeIfAnswered(ctx);
            }
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    /** After the client's FIN: closes once nothing read is left to answer (replies are flushed first). */
    private void closeIfAnswered(ChannelHandlerContext ctx) {
        if (inputShutdown && !closing && !streamScheduled && !paused) {
            closeAfterOutput(ctx);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            // a client's reset: common (a storm's clients closing with SO_LINGER 0), so its
            // message (a few hundred bytes of strings) is built only when debug logging is on
            if (LOG.isDebugEnabled()) {
                LOG.debug("<{} closing after I/O error: {}", id, cause.toString());
            }
        } else {
            LOG.warn("<{} closing after an unexpected error", id, cause);
        }
        closing = true;
        closeReason = "error";
        ctx.close();
    }

    /**
     * @param nowNanos the current {@link System#nanoTime()}
     * @return this connection as "stats conns" shows it
     */
    ConnectionInfo info(long nowNanos) {
        long idleSeconds = TimeUnit.NANOSECONDS.toSeconds(nowNanos - lastCommandNanos);
        return new ConnectionInfo(id, peer(), MnemoServer.describe(channel.localAddress()), state, Math.max(0, idleSeconds));
    }

    /**
     * Closes the connection, as memcached's idle timeout does (no reply; "Closing idle fd" at
     * -vv; conn_close reason idle_timeout), if it has completed no command for more than
     * {@code timeoutNanos} and waits for one: not while a data block arrives, output is
     * throttled, a reply streams or it is a log stream. Called on the connection's event loop.
     *
     * @param nowNanos     the current {@link System#nanoTime()}
     * @param timeoutNanos the idle timeout, in nanoseconds
     * @return true if it closed the connection (count it in idle_kicks)
     */
    boolean closeIfIdle(long nowNanos, long timeoutNanos) {
        if (nowNanos - lastCommandNanos <= timeoutNanos || !admitted || closing || paused || streamScheduled
                || watcher != null || (in != null && NegotiatingProtocol.awaitsData(in))) {
            return false;
        }
        if (server.verbosity() > 1) {
            LOG.info("Closing idle fd {}", id);
        }
        closing = true;
        closeReason = "idle_timeout";
        channel.close();
        return true;
    }

    /** @return the capacity, in bytes, of the buffer holding the start of a request; 0 when none (for tests) */
    int heldInputCapacity() {
        return in == null ? 0 : in.capacity();
    }

    /** @return the client's address as memcached shows it, e.g. tcp:127.0.0.1:41234 */
    private String peer() {
        return MnemoServer.describe(channel.remoteAddress());
    }

    /** Runs the protocol over the held input until it needs more, the connection closes, or output backs up. */
    private void processInput(ChannelHandlerContext ctx) {
        boolean handled = false;
        state = "conn_parse_cmd";
        while (in != null && in.isReadable() && !closing) {
            if (!ctx.channel().isWritable()) {
                pause(ctx);
                break;
            }
            if (out == null) {
                out = LoopBuffer.REPLIES.lendOrAllocate(ctx.alloc(), REPLY_BYTES);
            }
            int requestStart = in.readerIndex();
            long started = counters.latency().start();
            Outcome outcome = protocol.process(in, out);
            if (outcome == Outcome.NEED_MORE_INPUT) {
                break;
            }
            counters.latency().record(in, requestStart, started);
            handled = true;
            if (outcome == Outcome.CLOSE) {
                closeAfterOutput(ctx);
                return;
            }
            if (outcome == Outcome.MORE_OUTPUT) {
                // a streaming reply (a key dump): send this part, and let the loop's other
                // connections run before the next; backpressure pauses it like any output
                flushOutput(ctx);
                if (!streamScheduled) {
                    streamScheduled = true;
                    ctx.executor().execute(() -> resumeStream(ctx));
                }
                break;
            }
            if (outcome == Outcome.WATCH) {
                startWatching(ctx);
                return;
            }
            if (in.readerIndex() == requestStart) {
                throw new IllegalStateException("the protocol handled a request without consuming input");
            }
            if (out.readableBytes() >= WRITE_CHUNK_BYTES) {
                writeOutput(ctx);
            }
        }
        if (handled) {
            long now = server.currentTime().nanos();
            if (now != lastCommandNanos) {
                lastCommandNanos = now;
            }
        }
        if (in != null && !in.isReadable()) {
            in.release();
            in = null;
        } else if (in != null && in.readableBytes() > maxInboundBytes) {
            throw new IllegalStateException("inbound bytes held " + in.readableBytes()
                    + " exceed the bound of " + maxInboundBytes + " (max item size + 2 lines + one read)");
        }
        if (!paused) {
            state = "conn_read";
        }
    }

    /** Carries on a streaming reply, unless the connection paused or closed meanwhile. */
    private void resumeStream(ChannelHandlerContext ctx) {
        streamScheduled = false;
        if (!paused && !closing && ctx.channel().isActive()) {
            processInput(ctx);
            flushOutput(ctx);
        }
        closeIfAnswered(ctx);
    }

    /** "watch" said OK: sends it, drops the input and becomes a log stream. */
    private void startWatching(ChannelHandlerContext ctx) {
        state = "conn_watch";
        Runnable drain = () -> drainWatch(ctx);
        // attached before OK is sent, so that a client that saw OK misses no event; lines are
        // drained by a later event loop task, so OK goes first
        watcher = server.watchLog().attach(protocol.watchedStreams(), () -> ctx.channel().eventLoop().execute(drain));
        flushOutput(ctx);
        releaseBuffers();
    }

    /** Sends the watcher's queued lines while the connection takes them (on the event loop). */
    private void drainWatch(ChannelHandlerContext ctx) {
        boolean more = true;
        while (more && ctx.channel().isActive() && ctx.channel().isWritable()) {
            ByteBuf lines = ctx.alloc().ioBuffer();
            more = watcher.drainTo(lines, WRITE_CHUNK_BYTES);
            if (lines.isReadable()) {
                counters.addBytesWritten(lines.readableBytes());
                ctx.writeAndFlush(lines, ctx.voidPromise());
            } else {
                lines.release();
            }
        }
    }

    /**
     * Reports conn_new (reason null) or conn_close to "watch connevents". The client's address is
     * formatted only while someone watches: a connection storm otherwise made two strings a
     * connection for no one.
     */
    private void logConnection(ChannelHandlerContext ctx, String reason) {
        if (server.watchLog().watching(WatchLog.CONNEVENTS)
                && ctx.channel().remoteAddress() instanceof InetSocketAddress remote) {
            server.watchLog().connection(reason, remote.getAddress().getHostAddress(), remote.getPort(), id);
        }
    }

    private void pause(ChannelHandlerContext ctx) {
        paused = true;
        state = "conn_mwrite";
        ctx.channel().config().setAutoRead(false);
        counters.addThrottled();
    }

    private void closeAfterOutput(ChannelHandlerContext ctx) {
        closing = true;
        ctx.channel().config().setAutoRead(false);
        if (out != null && out.isReadable()) {
            writeOutput(ctx);
        }
        releaseBuffers();
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /** Hands the replies gathered so far to the channel, without flushing. */
    private void writeOutput(ChannelHandlerContext ctx) {
        counters.addBytesWritten(out.readableBytes());
        ctx.write(out, ctx.voidPromise());
        out = null;
        unflushed = true;
        ChannelOutboundBuffer pending = ctx.channel().unsafe().outboundBuffer();
        if (pending != null) {
            counters.recordPendingOutput(pending.totalPendingWriteBytes());
        }
    }

    /**
     * On epoll without TLS, when the channel holds no output (so the replies stay in order), sends
     * {@link #out} itself: usually all of it, in the one send(2) Netty's flush would make, without
     * the pipeline's and the outbound buffer's work per write (about 5 % of the event loop's user
     * time on a get/set load: docs/PERFORMANCE.md, "Cost per operation"). What the socket does not
     * take stays in {@link #out} for the channel. An error (the client reset the connection) goes
     * to {@link #exceptionCaught}, as one from Netty's write would.
     *
     * @return true if every byte was sent (or the connection failed) and {@link #out} released
     */
    private boolean sendDirectly(ChannelHandlerContext ctx) {
        if (directSocket == null || closing || unflushed || !out.hasMemoryAddress()) {
            return false;
        }
        if (DirectSend.channelHoldsOutput(ctx.channel())) {
            return false;
        }
        try {
            int sent = directSocket.sendAddress(out.memoryAddress(), out.readerIndex(), out.writerIndex());
            out.skipBytes(sent);
            counters.addBytesWritten(sent);
        } catch (IOException e) {
            out.release();
            out = null;
            exceptionCaught(ctx, e);
            return true;
        }
        if (out.isReadable()) {
            return false;
        }
        out.release();
        out = null;
        return true;
    }

    /**
     * Sends the replies gathered so far: on epoll without TLS itself ({@link #sendDirectly}),
     * otherwise, and what the socket did not take, through the channel. The replies of a read
     * longer than {@link #WRITE_CHUNK_BYTES} went to the channel in chunks and are flushed together.
     */
    private void flushOutput(ChannelHandlerContext ctx) {
        if (out != null) {
            if (out.isReadable()) {
                if (!sendDirectly(ctx)) {
                    writeOutput(ctx);
                }
            } else {
                out.release();
                out = null;
            }
        }
        if (unflushed) {
            unflushed = false;
            ctx.flush();
        }
    }

    /** Gives the room ahead this connection holds back to the loop's budget. */
    private void returnAhead() {
        counters.returnAhead(aheadGrant);
        aheadGrant = 0;
    }

    private void releaseBuffers() {
        returnAhead();
        if (in != null) {
            in.release();
            in = null;
        }
        if (out != null) {
            out.release();
            out = null;
        }
    }
}
