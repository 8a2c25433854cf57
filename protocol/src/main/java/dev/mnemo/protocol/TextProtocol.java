package dev.mnemo.protocol;

import dev.mnemo.store.Status;
import dev.mnemo.store.StorageCommand;
import dev.mnemo.store.Store;
import io.netty.buffer.ByteBuf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * memcached's text protocol for one connection (protocol.txt): parses requests out of the
 * connection's inbound bytes, executes them on the store and appends the replies to the
 * outbound buffer. Not thread-safe: one instance per connection, used by its event loop only.
 *
 * <p>Replies and error handling are byte-for-byte those of memcached 1.6 (checked against
 * 1.6.18): the same strings, the same token-count rules, "noreply" suppressing every reply of
 * the command that carries it, a NUL byte ending the command line as it ends a C string,
 * numbers read as C's strtol/strtoull read them, a data block of the wrong length answered with
 * "CLIENT_ERROR bad data chunk" after consuming exactly {@code <bytes>} + 2 bytes, a command
 * line of more than {@value #MAX_LINE_LENGTH} bytes with no newline closing the connection
 * (unless it starts with "get " or "gets ", whose key lists may be longer — up to
 * {@link Settings#maxItemSize()} bytes here, where memcached has no bound).
 *
 * <p>Differences: {@link Settings#maxItemSize()} bounds the data block (a value of exactly
 * that many bytes is stored), where memcached's {@code -I} bounds the whole item. A longer
 * block is answered "SERVER_ERROR object too large for cache" at once (memcached sends the
 * same reply only after the block has arrived) and discarded as it arrives, never buffered;
 * a failed set also removes the key's old item, as memcached does. And "cache_memlimit" cannot
 * raise the limit above the one the store was opened with.
 *
 * <p>With an {@link AuthFile} (memcached -S / -Y), a connection must first authenticate as
 * memcached's -Y text authentication does: a {@code set} whose data is "username password".
 *
 * <p>Keys and values go to the store as slices of the inbound buffer and values come back
 * from it straight into the outbound buffer: a get hit copies the value once and allocates
 * nothing. A multi-key get returns after about {@value #GET_OUTPUT_PER_CALL} bytes of replies,
 * consuming the keys it has answered, and carries on at the next call, so its replies never
 * pile up in memory.
 */
public final class TextProtocol {

    /**
     * The version "version" and "stats" report: the memcached release whose behaviour this
     * protocol reproduces, then Mnemo's own version, so that clients that compare version
     * numbers to detect features (libmemcached does) see a memcached 1.6.
     */
    public static final String VERSION = "1.6.18-mnemo-0.1.0";

    /** Bytes memcached accepts without a newline before it closes the connection. */
    public static final int MAX_LINE_LENGTH = 2048;

    /**
     * Reply bytes after which a multi-key get stops and returns, consuming only the keys it has
     * answered, so that the server can send them (and apply backpressure) before the rest: a
     * get line may name the same large item thousands of times.
     */
    static final int GET_OUTPUT_PER_CALL = 64 * 1024;

    /** Spaces memcached skips before a long line's "get "/"gets " (proto_text.c). */
    private static final int MAX_LEADING_SPACES = 100;

    private static final byte[] VERSION_REPLY = ("VERSION " + VERSION + "\r\n").getBytes(StandardCharsets.US_ASCII);
    private static final Logger LOG = LoggerFactory.getLogger(TextProtocol.class);

    /** What {@link #process} did. */
    public enum Outcome {
        /** One request was handled (or skipped); call again while input remains. */
        HANDLED,
        /** The input holds no complete request; wait for more bytes. */
        NEED_MORE_INPUT,
        /** Send what is in the output, then close the connection (quit, or a fatal error). */
        CLOSE
    }

    private final Store store;
    private final ServerContext server;
    private final CommandLine line = new CommandLine();
    private final BufferMemory inMemory = new BufferMemory();
    private final ValueReply valueReply = new ValueReply();
    private final NumberReply numberReply = new NumberReply();
    private final TextStats stats;
    private final MetaProtocol meta;
    /** The credentials clients must present (memcached -Y), or null when authentication is off. */
    private final AuthFile auth;
    private boolean authenticated;
    private long swallowRemaining;
    private boolean noreply;
    private boolean closed;
    private boolean getContinues;
    private boolean getWithCas;
    private boolean getTouch;
    private long getExptime;

    /**
     * @param store  the store requests execute on
     * @param server the server this connection belongs to
     */
    public TextProtocol(Store store, ServerContext server) {
        this.store = store;
        this.server = server;
        this.stats = new TextStats(store, server);
        this.meta = new MetaProtocol(store, server, line);
        this.auth = server.authFile();
    }

    /**
     * Handles at most one request from {@code in}: consumes its bytes (advancing the reader
     * index) and appends its reply, if any, to {@code out}. Never throws for anything a client
     * sends; once it has returned {@link Outcome#CLOSE} it returns it again.
     *
     * @param in  the connection's accumulated inbound bytes
     * @param out the connection's outbound buffer
     * @return what happened; on {@link Outcome#NEED_MORE_INPUT} nothing was consumed except
     *         bytes of an over-long data block being discarded
     */
    public Outcome process(ByteBuf in, ByteBuf out) {
        if (closed) {
            return Outcome.CLOSE;
        }
        if (swallowRemaining > 0) {
            return swallow(in);
        }
        int start = in.readerIndex();
        int end = in.writerIndex();
        if (start == end) {
            return Outcome.NEED_MORE_INPUT;
        }
        int lf = in.indexOf(start, end, (byte) '\n');
        if (lf < 0) {
            if (end - start > MAX_LINE_LENGTH && !isMultiGetPrefix(in, start, end)) {
                return close(in);
            }
            return Outcome.NEED_MORE_INPUT;
        }
        int lineEnd = lf > start && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
        MemorySegment memory = inMemory.view(in, start, lf + 1 - start);
        line.parse(memory, inMemory.base() - start, start, lineEnd);
        if (getContinues) {
            return retrieveKeys(in, out, lf + 1, start, false);
        }
        noreply = false;
        if (auth != null && !authenticated) {
            return authenticate(in, out, lf + 1);
        }
        return execute(in, out, lf + 1);
    }

    /**
     * Forgets what the last request left for the bytes after it (a data block still to discard,
     * a multi-key get to carry on, a close), so that the next {@link #process} call starts a new
     * request. For datagram transports, where every datagram stands alone (protocol.txt "UDP
     * protocol"); a byte stream never needs it.
     */
    public void reset() {
        swallowRemaining = 0;
        getContinues = false;
        closed = false;
    }

    /**
     * memcached's -Y text authentication: before anything else the client sends
     * {@code set <key> <flags> <exptime> <bytes> [noreply]} whose data is "username password";
     * the reply is STORED (noreply or not) and the connection is authenticated. Any other
     * command, a malformed token or wrong credentials get memcached's CLIENT_ERROR and close
     * the connection. Tokens longer than {@value SaslPlain#MAX_MESSAGE} bytes are refused
     * unread.
     */
    private Outcome authenticate(ByteBuf in, ByteBuf out, int next) {
        int n = line.count();
        if (!line.is(0, Ascii.SET) || (n != 5 && n != 6) || !line.parseSigned(4)) {
            out.writeBytes(Ascii.UNAUTHENTICATED);
            return close(in);
        }
        long length = line.number();
        if (length < 0 || length > SaslPlain.MAX_MESSAGE) {
            auth.countFailure();
            out.writeBytes(Ascii.BAD_AUTH_TOKEN);
            return close(in);
        }
        long dataEnd = next + length + 2;
        if (in.writerIndex() < dataEnd) {
            return Outcome.NEED_MORE_INPUT;
        }
        int space = in.indexOf(next, next + (int) length, (byte) ' ');
        if (space < 0) {
            auth.countFailure();
            out.writeBytes(Ascii.BAD_AUTH_TOKEN);
            return close(in);
        }
        int passwordEnd = in.indexOf(space + 1, next + (int) length, (byte) ' ');
        byte[] user = new byte[space - next];
        in.getBytes(next, user);
        byte[] password = new byte[(passwordEnd < 0 ? next + (int) length : passwordEnd) - space - 1];
        in.getBytes(space + 1, password);
        if (!auth.check(user, password)) {
            out.writeBytes(Ascii.AUTH_FAILURE);
            return close(in);
        }
        authenticated = true;
        out.writeBytes(Ascii.STORED);
        return consume(in, (int) dataEnd);
    }

    private Outcome execute(ByteBuf in, ByteBuf out, int next) {
        int n = line.count();
        if (n == 0) {
            return error(in, out, next);
        }
        if (line.is(0, Ascii.GET)) {
            return n >= 2 ? retrieve(in, out, next, false, false) : error(in, out, next);
        }
        if (line.length(0) == 2 && line.startsWith(0, (byte) 'm')) {
            return meta(in, out, next);
        }
        if (line.is(0, Ascii.SET)) {
            return storage(in, out, next, StorageCommand.SET);
        }
        if (line.is(0, Ascii.GETS)) {
            return n >= 2 ? retrieve(in, out, next, true, false) : error(in, out, next);
        }
        if (line.is(0, Ascii.DELETE)) {
            return delete(in, out, next);
        }
        if (line.is(0, Ascii.INCR)) {
            return incrDecr(in, out, next, true);
        }
        if (line.is(0, Ascii.DECR)) {
            return incrDecr(in, out, next, false);
        }
        if (line.is(0, Ascii.ADD)) {
            return storage(in, out, next, StorageCommand.ADD);
        }
        if (line.is(0, Ascii.REPLACE)) {
            return storage(in, out, next, StorageCommand.REPLACE);
        }
        if (line.is(0, Ascii.APPEND)) {
            return storage(in, out, next, StorageCommand.APPEND);
        }
        if (line.is(0, Ascii.PREPEND)) {
            return storage(in, out, next, StorageCommand.PREPEND);
        }
        if (line.is(0, Ascii.CAS)) {
            return storage(in, out, next, StorageCommand.CAS);
        }
        if (line.is(0, Ascii.TOUCH)) {
            return touch(in, out, next);
        }
        if (line.is(0, Ascii.GAT)) {
            return n >= 2 ? retrieve(in, out, next, false, true) : error(in, out, next);
        }
        if (line.is(0, Ascii.GATS)) {
            return n >= 2 ? retrieve(in, out, next, true, true) : error(in, out, next);
        }
        if (line.is(0, Ascii.STATS)) {
            stats.write(line, out);
            return finish(in, next);
        }
        if (line.is(0, Ascii.FLUSH_ALL)) {
            return flushAll(in, out, next);
        }
        if (line.is(0, Ascii.VERSION)) {
            out.writeBytes(VERSION_REPLY);
            return finish(in, next);
        }
        if (line.is(0, Ascii.VERBOSITY)) {
            return verbosity(in, out, next);
        }
        if (line.is(0, Ascii.QUIT)) {
            finish(in, next);
            closed = true;
            return Outcome.CLOSE;
        }
        if (line.is(0, Ascii.SHUTDOWN)) {
            return shutdown(in, out, next);
        }
        if (line.is(0, Ascii.CACHE_MEMLIMIT)) {
            return cacheMemlimit(in, out, next);
        }
        if (line.is(0, Ascii.REFRESH_CERTS)) {
            return refreshCerts(in, out, next);
        }
        return error(in, out, next);
    }

    /**
     * The meta commands (protocol.txt "Meta Commands"), executed by {@link MetaProtocol}; an ms
     * waits here until its data block has arrived, and a refused one's block is discarded.
     */
    private Outcome meta(ByteBuf in, ByteBuf out, int next) {
        int start = in.readerIndex();
        int available = in.writerIndex();
        MemorySegment memory = inMemory.view(in, start, available - start);
        int end = meta.execute(memory, inMemory.base() - start, line.start(0), line.lineEnd(), out, next, available);
        if (end < 0) {
            return Outcome.NEED_MORE_INPUT;
        }
        swallowRemaining = meta.takeSwallow();
        return finish(in, end);
    }

    /** set, add, replace, append, prepend, cas (protocol.txt "Storage commands"). */
    private Outcome storage(ByteBuf in, ByteBuf out, int next, StorageCommand command) {
        int n = line.count();
        int tokens = command == StorageCommand.CAS ? 6 : 5;
        if (n != tokens && n != tokens + 1) {
            return error(in, out, next);
        }
        noreply = line.lastIsNoreply();
        if (line.length(1) > Store.MAX_KEY_LENGTH || !line.parseUnsigned(2)) {
            return reply(in, out, next, Ascii.BAD_FORMAT);
        }
        int clientFlags = (int) line.number();
        if (!line.parseSigned(3)) {
            return reply(in, out, next, Ascii.BAD_FORMAT);
        }
        long exptime = line.number();
        if (!line.parseSigned(4)) {
            return reply(in, out, next, Ascii.BAD_FORMAT);
        }
        // memcached keeps the low 32 bits of the length (an int32_t)
        int length = (int) line.number();
        if (length < 0 || length > Integer.MAX_VALUE - 2) {
            return reply(in, out, next, Ascii.BAD_FORMAT);
        }
        long casUnique = 0;
        if (command == StorageCommand.CAS) {
            if (!line.parseUnsigned(5)) {
                return reply(in, out, next, Ascii.BAD_FORMAT);
            }
            casUnique = line.number();
        }
        int start = in.readerIndex();
        if (length > server.settings().maxItemSize()) {
            if (command == StorageCommand.SET) {
                deleteKeyOfLine(in, start);
            }
            swallowRemaining = length + 2L;
            return reply(in, out, next, Ascii.TOO_LARGE);
        }
        long dataEnd = (long) next + length + 2;
        if (in.writerIndex() < dataEnd) {
            return Outcome.NEED_MORE_INPUT;
        }
        int end = (int) dataEnd;
        if (in.getByte(end - 2) != '\r' || in.getByte(end - 1) != '\n') {
            return reply(in, out, end, Ascii.BAD_DATA_CHUNK);
        }
        MemorySegment memory = inMemory.view(in, start, end - start);
        long base = inMemory.base() - start;
        Status status = store.store(command, memory, base + line.start(1), line.length(1),
                memory, base + next, length, clientFlags, exptime, casUnique);
        return switch (status) {
            case STORED -> reply(in, out, end, Ascii.STORED);
            case NOT_STORED -> reply(in, out, end, Ascii.NOT_STORED);
            case EXISTS -> reply(in, out, end, Ascii.EXISTS);
            case NOT_FOUND -> reply(in, out, end, Ascii.NOT_FOUND);
            case TOO_LARGE, OUT_OF_MEMORY -> {
                // memcached drops the old item when a set fails, so no stale value outlives it
                if (command == StorageCommand.SET) {
                    store.delete(memory, base + line.start(1), line.length(1));
                }
                yield reply(in, out, end, status == Status.TOO_LARGE ? Ascii.TOO_LARGE : Ascii.OUT_OF_MEMORY_STORING);
            }
            default -> reply(in, out, end, Ascii.OUT_OF_MEMORY_STORING);
        };
    }

    private void deleteKeyOfLine(ByteBuf in, int start) {
        int keyEnd = line.start(1) + line.length(1);
        MemorySegment memory = inMemory.view(in, start, keyEnd - start);
        store.delete(memory, inMemory.base() - start + line.start(1), line.length(1));
    }

    /** get, gets, gat, gats (protocol.txt "Retrieval command", "Touch"). */
    private Outcome retrieve(ByteBuf in, ByteBuf out, int next, boolean withCas, boolean touch) {
        long exptime = 0;
        int keysFrom;
        if (touch) {
            if (!line.parseSigned(1)) {
                return reply(in, out, next, Ascii.BAD_EXPTIME);
            }
            exptime = line.number();
            keysFrom = line.start(1) + line.length(1);
        } else {
            keysFrom = line.start(0) + line.length(0);
        }
        // memcached answers a line with an over-long key with the error alone, no VALUEs
        int start = in.readerIndex();
        MemorySegment memory = inMemory.view(in, start, line.lineEnd() - start);
        long base = inMemory.base() - start;
        int keyLength = 0;
        for (int i = keysFrom; i < line.lineEnd(); i++) {
            keyLength = memory.get(ValueLayout.JAVA_BYTE, base + i) == ' ' ? 0 : keyLength + 1;
            if (keyLength > Store.MAX_KEY_LENGTH) {
                return reply(in, out, next, Ascii.BAD_FORMAT);
            }
        }
        getWithCas = withCas;
        getTouch = touch;
        getExptime = exptime;
        return retrieveKeys(in, out, next, keysFrom, true);
    }

    /**
     * Looks up the keys of a get line from buffer index {@code from} to the line's end, all of
     * them or until {@value #GET_OUTPUT_PER_CALL} reply bytes; then consumes what it answered.
     */
    private Outcome retrieveKeys(ByteBuf in, ByteBuf out, int next, int from, boolean first) {
        int start = in.readerIndex();
        int lineEnd = line.lineEnd();
        int limit = out.writerIndex() + GET_OUTPUT_PER_CALL;
        MemorySegment memory = inMemory.view(in, start, lineEnd - start);
        long base = inMemory.base() - start;
        int i = from;
        while (i < lineEnd) {
            if (memory.get(ValueLayout.JAVA_BYTE, base + i) == ' ') {
                i++;
                continue;
            }
            if (out.writerIndex() >= limit) {
                getContinues = true;
                return first ? finish(in, i) : consume(in, i);
            }
            int keyStart = i;
            while (i < lineEnd && memory.get(ValueLayout.JAVA_BYTE, base + i) != ' ') {
                i++;
            }
            int keyLength = i - keyStart;
            valueReply.prepare(out, memory, base + keyStart, keyLength, getWithCas);
            if (getTouch) {
                store.getAndTouch(memory, base + keyStart, keyLength, getExptime, valueReply);
            } else {
                store.get(memory, base + keyStart, keyLength, valueReply);
            }
        }
        getContinues = false;
        out.writeBytes(Ascii.END);
        return first ? finish(in, next) : consume(in, next);
    }

    /** delete (protocol.txt "Deletion"), with memcached's legacy "0" hold time. */
    private Outcome delete(ByteBuf in, ByteBuf out, int next) {
        int n = line.count();
        if (n < 2 || n > 4) {
            return error(in, out, next);
        }
        if (n > 2) {
            boolean holdIsZero = line.is(2, Ascii.ZERO);
            noreply = line.lastIsNoreply();
            boolean valid = n == 3 ? holdIsZero || noreply : holdIsZero && noreply;
            if (!valid) {
                return reply(in, out, next, Ascii.BAD_DELETE);
            }
        }
        if (line.length(1) > Store.MAX_KEY_LENGTH) {
            return reply(in, out, next, Ascii.BAD_FORMAT);
        }
        int start = in.readerIndex();
        MemorySegment memory = inMemory.view(in, start, line.lineEnd() - start);
        Status status = store.delete(memory, inMemory.base() - start + line.start(1), line.length(1));
        return reply(in, out, next, status == Status.DELETED ? Ascii.DELETED : Ascii.NOT_FOUND);
    }

    /** incr, decr (protocol.txt "Increment/Decrement"). */
    private Outcome incrDecr(ByteBuf in, ByteBuf out, int next, boolean increment) {
        int n = line.count();
        if (n != 3 && n != 4) {
            return error(in, out, next);
        }
        noreply = line.lastIsNoreply();
        if (line.length(1) > Store.MAX_KEY_LENGTH) {
            return reply(in, out, next, Ascii.BAD_FORMAT);
        }
        if (!line.parseUnsigned(2)) {
            return reply(in, out, next, Ascii.BAD_DELTA);
        }
        long delta = line.number();
        int start = in.readerIndex();
        MemorySegment memory = inMemory.view(in, start, line.lineEnd() - start);
        int mark = out.writerIndex();
        numberReply.prepare(out);
        Status status = store.incrDecr(memory, inMemory.base() - start + line.start(1), line.length(1),
                increment, delta, numberReply);
        return switch (status) {
            case STORED -> {
                if (noreply) {
                    out.writerIndex(mark);
                }
                yield finish(in, next);
            }
            case NOT_FOUND -> reply(in, out, next, Ascii.NOT_FOUND);
            case NON_NUMERIC -> reply(in, out, next, Ascii.NON_NUMERIC);
            default -> reply(in, out, next, Ascii.OUT_OF_MEMORY);
        };
    }

    /** touch (protocol.txt "Touch"). */
    private Outcome touch(ByteBuf in, ByteBuf out, int next) {
        int n = line.count();
        if (n != 3 && n != 4) {
            return error(in, out, next);
        }
        noreply = line.lastIsNoreply();
        if (line.length(1) > Store.MAX_KEY_LENGTH) {
            return reply(in, out, next, Ascii.BAD_FORMAT);
        }
        if (!line.parseSigned(2)) {
            return reply(in, out, next, Ascii.BAD_EXPTIME);
        }
        long exptime = line.number();
        int start = in.readerIndex();
        MemorySegment memory = inMemory.view(in, start, line.lineEnd() - start);
        Status status = store.touch(memory, inMemory.base() - start + line.start(1), line.length(1), exptime);
        return reply(in, out, next, status == Status.TOUCHED ? Ascii.TOUCHED : Ascii.NOT_FOUND);
    }

    /** flush_all [delay] [noreply] (protocol.txt "Other commands"). */
    private Outcome flushAll(ByteBuf in, ByteBuf out, int next) {
        int n = line.count();
        if (n > 3) {
            return error(in, out, next);
        }
        noreply = line.lastIsNoreply();
        long exptime = 0;
        if (n != (noreply ? 2 : 1)) {
            if (!line.parseSigned(1)) {
                return reply(in, out, next, Ascii.BAD_EXPTIME);
            }
            exptime = line.number();
        }
        store.flushAll(exptime);
        return reply(in, out, next, Ascii.OK);
    }

    /** verbosity level [noreply]: memcached caps the level at 2. */
    private Outcome verbosity(ByteBuf in, ByteBuf out, int next) {
        int n = line.count();
        if (n != 2 && n != 3) {
            return error(in, out, next);
        }
        noreply = line.lastIsNoreply();
        if (!line.parseUnsigned(1)) {
            return reply(in, out, next, Ascii.BAD_FORMAT);
        }
        long level = line.number();
        server.setVerbosity(Long.compareUnsigned(level, 2) > 0 ? 2 : (int) level);
        return reply(in, out, next, Ascii.OK);
    }

    /**
     * refresh_certs [noreply]: reloads the TLS certificate and key; OK, or memcached's reason why
     * not, which noreply does not silence (memcached's out_errstring).
     */
    private Outcome refreshCerts(ByteBuf in, ByteBuf out, int next) {
        String failure = server.refreshCerts();
        noreply = failure == null && line.lastIsNoreply();
        return reply(in, out, next, failure == null ? Ascii.OK
                : (failure + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** shutdown [graceful]: only with memcached's -A (Settings.shutdownEnabled). */
    private Outcome shutdown(ByteBuf in, ByteBuf out, int next) {
        if (!server.settings().shutdownEnabled()) {
            return reply(in, out, next, Ascii.SHUTDOWN_DISABLED);
        }
        int n = line.count();
        if (n == 1 || (n == 2 && line.is(1, Ascii.GRACEFUL))) {
            server.shutdown();
            finish(in, next);
            closed = true;
            return Outcome.CLOSE;
        }
        return reply(in, out, next, Ascii.BAD_SHUTDOWN_MODE);
    }

    /**
     * cache_memlimit megabytes [noreply]: changes the store's memory limit at run time. Unlike
     * memcached, Mnemo cannot raise it above the limit the store was opened with (-m): that is
     * refused with memcached's "MEMLIMIT_ADJUST_FAILED out of bounds or unable to adjust".
     */
    private Outcome cacheMemlimit(ByteBuf in, ByteBuf out, int next) {
        int n = line.count();
        if (n != 2 && n != 3) {
            return error(in, out, next);
        }
        noreply = line.lastIsNoreply();
        if (!line.parseUnsigned(1)) {
            return reply(in, out, next, Ascii.ERROR);
        }
        // memcached reads the megabytes into a uint32_t
        long megabytes = line.number() & 0xFFFF_FFFFL;
        if (megabytes < 8) {
            return reply(in, out, next, Ascii.MEMLIMIT_TOO_SMALL);
        }
        if (megabytes > 1_000_000_000L) {
            return reply(in, out, next, Ascii.MEMLIMIT_NOT_BYTES);
        }
        long bytes = megabytes << 20;
        // the region is sized when the store opens: it can shrink, never grow past that
        if (bytes > store.config().memoryLimit()) {
            return reply(in, out, next, Ascii.MEMLIMIT_FAILED);
        }
        try {
            store.setMemoryLimit(bytes);
        } catch (IllegalArgumentException e) {
            return reply(in, out, next, Ascii.MEMLIMIT_FAILED);
        }
        return reply(in, out, next, Ascii.OK);
    }

    private Outcome error(ByteBuf in, ByteBuf out, int next) {
        out.writeBytes(Ascii.ERROR);
        return finish(in, next);
    }

    /** Writes {@code reply} unless the command said noreply, and consumes the request. */
    private Outcome reply(ByteBuf in, ByteBuf out, int next, byte[] reply) {
        if (!noreply) {
            out.writeBytes(reply);
        }
        return finish(in, next);
    }

    /** Consumes the request up to {@code next}, logging its command line at verbosity 2. */
    private Outcome finish(ByteBuf in, int next) {
        if (server.verbosity() >= 2 && LOG.isInfoEnabled()) {
            int start = in.readerIndex();
            LOG.info("<{}", in.toString(start, line.lineEnd() - start, StandardCharsets.US_ASCII));
        }
        return consume(in, next);
    }

    private static Outcome consume(ByteBuf in, int next) {
        in.readerIndex(next);
        return Outcome.HANDLED;
    }

    /** Discards bytes of a data block too large to store, as they arrive. */
    private Outcome swallow(ByteBuf in) {
        int skip = (int) Math.min(in.readableBytes(), swallowRemaining);
        in.skipBytes(skip);
        swallowRemaining -= skip;
        return swallowRemaining > 0 ? Outcome.NEED_MORE_INPUT : Outcome.HANDLED;
    }

    /** memcached's test for a long line that may still be a multi-key get (proto_text.c). */
    private boolean isMultiGetPrefix(ByteBuf in, int start, int end) {
        if (end - start > server.settings().maxItemSize()) {
            return false;
        }
        int i = start;
        while (i < end && i - start <= MAX_LEADING_SPACES && in.getByte(i) == ' ') {
            i++;
        }
        if (i - start > MAX_LEADING_SPACES) {
            return false;
        }
        return startsWith(in, i, end, Ascii.GET) || startsWith(in, i, end, Ascii.GETS);
    }

    /** @return whether {@code word} followed by a space starts at {@code index} */
    private static boolean startsWith(ByteBuf in, int index, int end, byte[] word) {
        if (end - index < word.length + 1) {
            return false;
        }
        for (int i = 0; i < word.length; i++) {
            if (in.getByte(index + i) != word[i]) {
                return false;
            }
        }
        return in.getByte(index + word.length) == ' ';
    }

    private Outcome close(ByteBuf in) {
        in.skipBytes(in.readableBytes());
        closed = true;
        return Outcome.CLOSE;
    }
}
