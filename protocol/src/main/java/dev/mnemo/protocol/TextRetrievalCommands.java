package dev.mnemo.protocol;

import dev.mnemo.store.Store;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The text protocol's retrieval commands (protocol.txt "Retrieval command", "Touch"): get, gets,
 * gat and gats, for any number of keys. Each hit is answered
 * {@code VALUE <key> <flags> <bytes>[ <cas unique>]} and its data block ({@link ValueReply}),
 * the whole line by END; a line with a key over {@value Store#MAX_KEY_LENGTH} bytes gets
 * "CLIENT_ERROR bad command line format" alone, as in memcached.
 *
 * <p>A multi-key get returns after about {@value #OUTPUT_PER_CALL} bytes of replies, consuming
 * the keys it has answered, and carries on at the next {@link Protocol#process} call
 * ({@link #continues()}), so its replies never pile up in memory. A hit copies the value once,
 * from the store into the outbound buffer, and allocates nothing. Not thread-safe: one per
 * connection.
 */
final class TextRetrievalCommands {

    /**
     * Reply bytes after which a multi-key get stops and returns, consuming only the keys it has
     * answered, so that the server can send them (and apply backpressure) before the rest: a
     * get line may name the same large item thousands of times.
     */
    static final int OUTPUT_PER_CALL = 64 * 1024;

    /**
     * The thread's reply writer, as {@link MetaCommand}'s scratch: it holds a key's VALUE line
     * only while that key is answered, so the connections of one event loop share it rather than
     * each keeping its 400 bytes (a smaller heap per connection, and fewer collections while
     * connections open in a storm).
     */
    private static final FastThreadLocal<ValueReply> VALUE_REPLY = new FastThreadLocal<>() {
        @Override
        protected ValueReply initialValue() {
            return new ValueReply();
        }
    };

    private final Store store;
    private final TextRequest request;
    private final CommandLine line;
    private final KeyPrefixStats.Recorder prefixStats;
    private final WatchLog watchLog;
    private boolean continues;
    private boolean withCas;
    private boolean touch;
    private long exptime;

    TextRetrievalCommands(Store store, TextRequest request) {
        this.store = store;
        this.request = request;
        this.line = request.line;
        this.prefixStats = request.prefixStats;
        this.watchLog = request.watchLog;
    }

    /** @return whether a get line is half answered: the next call goes on with {@link #resume} */
    boolean continues() {
        return continues;
    }

    /** Forgets a half-answered get line. */
    void reset() {
        continues = false;
    }

    /**
     * get, gets, gat, gats.
     *
     * @param next    buffer index just past the command line's newline
     * @param withCas whether to print CAS uniques (gets, gats)
     * @param touch   whether to touch the items (gat, gats: token 1 is the exptime)
     */
    Outcome execute(int next, boolean withCas, boolean touch) {
        TextRequest r = request;
        long exptime = 0;
        int keysFrom;
        if (touch) {
            if (!line.parseSigned(1)) {
                return r.reply(next, Ascii.BAD_EXPTIME);
            }
            exptime = line.number();
            keysFrom = line.start(1) + line.length(1);
        } else {
            keysFrom = line.start(0) + line.length(0);
        }
        // memcached answers a line with an over-long key with the error alone, no VALUEs
        MemorySegment memory = r.view(line.lineEnd());
        long base = r.base();
        int keyLength = 0;
        for (int i = keysFrom; i < line.lineEnd(); i++) {
            keyLength = memory.get(ValueLayout.JAVA_BYTE, base + i) == ' ' ? 0 : keyLength + 1;
            if (keyLength > Store.MAX_KEY_LENGTH) {
                return r.reply(next, Ascii.BAD_FORMAT);
            }
        }
        this.withCas = withCas;
        this.touch = touch;
        this.exptime = exptime;
        return keys(next, keysFrom, true);
    }

    /**
     * Goes on with a half-answered get line (the line just parsed again, its reader index at
     * the first key not yet answered).
     *
     * @param next buffer index just past the line's newline
     */
    Outcome resume(int next) {
        return keys(next, request.in().readerIndex(), false);
    }

    /**
     * Looks up the keys of a get line from buffer index {@code from} to the line's end, all of
     * them or until {@value #OUTPUT_PER_CALL} reply bytes; then consumes what it answered.
     */
    private Outcome keys(int next, int from, boolean first) {
        TextRequest r = request;
        ByteBuf out = r.out();
        ValueReply valueReply = VALUE_REPLY.get();
        int lineEnd = line.lineEnd();
        int limit = out.writerIndex() + OUTPUT_PER_CALL;
        MemorySegment memory = r.view(lineEnd);
        long base = r.base();
        int i = from;
        while (i < lineEnd) {
            if (memory.get(ValueLayout.JAVA_BYTE, base + i) == ' ') {
                i++;
                continue;
            }
            if (out.writerIndex() >= limit) {
                continues = true;
                return first ? r.finish(i) : r.consume(i);
            }
            int keyStart = i;
            while (i < lineEnd && memory.get(ValueLayout.JAVA_BYTE, base + i) != ' ') {
                i++;
            }
            int keyLength = i - keyStart;
            valueReply.prepare(out, memory, base + keyStart, keyLength, withCas);
            boolean hit = touch
                    ? store.getAndTouch(memory, base + keyStart, keyLength, Exptime.toExpiresAt(exptime, store), valueReply)
                    : store.get(memory, base + keyStart, keyLength, valueReply);
            prefixStats.get(memory, base + keyStart, keyLength, hit);
            if (watchLog.watching(WatchLog.FETCHERS)) {
                watchLog.fetched(memory, base + keyStart, keyLength, hit, valueReply.lastValueLength(), request.connectionId);
            }
        }
        continues = false;
        out.writeBytes(Ascii.END);
        return first ? r.finish(next) : r.consume(next);
    }
}
