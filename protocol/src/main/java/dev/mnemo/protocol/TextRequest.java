package dev.mnemo.protocol;

import io.netty.buffer.ByteBuf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * The text-protocol request being handled on one connection, shared by {@link TextProtocol} and
 * the command families it dispatches to: the inbound and outbound buffers, the parsed command
 * line, the connection's input discard state, whether the command said noreply, and the ways a
 * request ends (a reply unless noreply, ERROR, consuming its bytes, logging its line at
 * verbosity 2). Buffer indices are absolute indices into the inbound buffer.
 *
 * <p>Allocates nothing. Not thread-safe: one per connection, reused for every request.
 */
final class TextRequest {

    private static final Logger LOG = LoggerFactory.getLogger(TextProtocol.class);

    final CommandLine line = new CommandLine();
    final InputDiscard discard = new InputDiscard();
    /** This connection's way into "stats detail"'s per-prefix counts. */
    final KeyPrefixStats.Recorder prefixStats;
    private final BufferMemory inMemory = new BufferMemory();
    private final ServerContext server;
    private ByteBuf in;
    private ByteBuf out;
    private int viewStart;
    private boolean noreply;
    /** {@link Protocol#awaitedRequestBytes()}: set by the last call that awaits a data block, 0 otherwise. */
    private int awaitedBytes;

    /** The connection's number ("watch" lines' cfd), 0 for none. */
    final int connectionId;
    /** The server's "watch" log. */
    final WatchLog watchLog;

    TextRequest(ServerContext server, int connectionId) {
        this.server = server;
        this.connectionId = connectionId;
        this.watchLog = server.watchLog();
        this.prefixStats = server.prefixStats().recorder();
    }

    /** Starts a {@link Protocol#process} call over these buffers. */
    void begin(ByteBuf in, ByteBuf out) {
        this.in = in;
        this.out = out;
    }

    /** Forgets the request length the last {@link #awaitData} said: a new {@link Protocol#process} call. */
    void clearAwaited() {
        awaitedBytes = 0;
    }

    /**
     * The request's command line has arrived but its data block has not all arrived yet.
     *
     * @param requestEnd buffer index just past the data block's "\r\n"
     * @return {@link Outcome#NEED_MORE_INPUT}
     */
    Outcome awaitData(long requestEnd) {
        awaitedBytes = (int) (requestEnd - in.readerIndex());
        return Outcome.NEED_MORE_INPUT;
    }

    /** @return the whole request's length in bytes as {@link #awaitData} last said; 0 if not since {@link #clearAwaited} */
    int awaitedBytes() {
        return awaitedBytes;
    }

    ByteBuf in() {
        return in;
    }

    ByteBuf out() {
        return out;
    }

    /**
     * Views the inbound bytes from the request's first byte (the reader index) to buffer index
     * {@code end}; buffer index {@code i} is then at {@link #base()} + i in the returned memory.
     */
    MemorySegment view(int end) {
        viewStart = in.readerIndex();
        return inMemory.view(in, viewStart, end - viewStart);
    }

    /** @return the offset of buffer index 0 in the memory {@link #view} last returned */
    long base() {
        return inMemory.base() - viewStart;
    }

    /** @param noreply whether the command said noreply: its replies are not sent */
    void noreply(boolean noreply) {
        this.noreply = noreply;
    }

    boolean noreply() {
        return noreply;
    }

    /** Writes {@code reply} unless the command said noreply, and consumes the request up to {@code next}. */
    Outcome reply(int next, byte[] reply) {
        if (!noreply) {
            out.writeBytes(reply);
        }
        return finish(next);
    }

    /** memcached's reply to an unknown or malformed command: ERROR, whatever noreply says. */
    Outcome error(int next) {
        out.writeBytes(Ascii.ERROR);
        return finish(next);
    }

    /** Consumes the request up to {@code next}, logging its command line at verbosity 2. */
    Outcome finish(int next) {
        if (server.verbosity() >= 2 && LOG.isInfoEnabled()) {
            int start = in.readerIndex();
            LOG.info("<{}", in.toString(start, line.lineEnd() - start, StandardCharsets.US_ASCII));
        }
        return consume(next);
    }

    /** Consumes the inbound bytes up to buffer index {@code next}. */
    Outcome consume(int next) {
        in.readerIndex(next);
        return Outcome.HANDLED;
    }
}
