package dev.mnemo.protocol;

import dev.mnemo.store.ArithmeticResult;
import dev.mnemo.store.DeleteResult;
import dev.mnemo.store.ItemWrite;
import dev.mnemo.store.Store;
import io.netty.buffer.ByteBuf;

import java.lang.foreign.MemorySegment;

/**
 * The text protocol's commands on one existing item that carry no data block: delete
 * (protocol.txt "Deletion", with memcached's legacy "0" hold time), incr and decr
 * ("Increment/Decrement": the new value is the reply, {@link NumberReply}) and touch ("Touch").
 * Replies and errors are memcached 1.6.18's; noreply suppresses every reply but ERROR.
 *
 * <p>Keys go to the store as views of the inbound buffer; nothing is allocated. Not
 * thread-safe: one per connection.
 */
final class TextItemCommands {

    private final Store store;
    private final TextRequest request;
    private final CommandLine line;
    private final NumberReply numberReply = new NumberReply();
    private final ItemWrite write = new ItemWrite();

    TextItemCommands(Store store, TextRequest request) {
        this.store = store;
        this.request = request;
        this.line = request.line;
    }

    /** delete key [0] [noreply]. @param next buffer index just past the line's newline */
    Outcome delete(int next) {
        TextRequest r = request;
        int n = line.count();
        if (n < 2 || n > 4) {
            return r.error(next);
        }
        if (n > 2) {
            boolean holdIsZero = line.is(2, Ascii.ZERO);
            r.noreply(line.lastIsNoreply());
            boolean valid = n == 3 ? holdIsZero || r.noreply() : holdIsZero && r.noreply();
            if (!valid) {
                return r.reply(next, Ascii.BAD_DELETE);
            }
        }
        if (line.length(1) > Store.MAX_KEY_LENGTH) {
            return r.reply(next, Ascii.BAD_FORMAT);
        }
        MemorySegment memory = r.view(line.lineEnd());
        r.prefixStats.delete(memory, r.base() + line.start(1), line.length(1));
        DeleteResult result = store.delete(memory, r.base() + line.start(1), line.length(1), 0);
        return r.reply(next, result == DeleteResult.DELETED ? Ascii.DELETED : Ascii.NOT_FOUND);
    }

    /** incr|decr key delta [noreply]. @param next buffer index just past the line's newline */
    Outcome incrDecr(int next, boolean increment) {
        TextRequest r = request;
        Outcome refused = refuseLine(next, false, Ascii.BAD_DELTA);
        if (refused != null) {
            return refused;
        }
        long delta = line.number();
        MemorySegment memory = r.view(line.lineEnd());
        ByteBuf out = r.out();
        int mark = out.writerIndex();
        numberReply.prepare(out);
        ItemWrite w = write.reset().key(memory, r.base() + line.start(1), line.length(1)).onStored(numberReply);
        ArithmeticResult result = increment ? store.increment(w, delta) : store.decrement(w, delta);
        w.reset();
        return switch (result) {
            case UPDATED -> {
                if (r.noreply()) {
                    out.writerIndex(mark);
                }
                yield r.finish(next);
            }
            case NOT_FOUND -> r.reply(next, Ascii.NOT_FOUND);
            case NON_NUMERIC -> r.reply(next, Ascii.NON_NUMERIC);
            default -> r.reply(next, Ascii.OUT_OF_MEMORY);
        };
    }

    /** touch key exptime [noreply]. @param next buffer index just past the line's newline */
    Outcome touch(int next) {
        TextRequest r = request;
        Outcome refused = refuseLine(next, true, Ascii.BAD_EXPTIME);
        if (refused != null) {
            return refused;
        }
        long exptime = line.number();
        MemorySegment memory = r.view(line.lineEnd());
        boolean touched = store.touch(memory, r.base() + line.start(1), line.length(1), Exptime.toExpiresAt(exptime, store));
        return r.reply(next, touched ? Ascii.TOUCHED : Ascii.NOT_FOUND);
    }

    /**
     * The checks incr, decr and touch make, in memcached's order: three tokens and an optional
     * noreply, a key of at most {@value Store#MAX_KEY_LENGTH} bytes, a number as token 2.
     *
     * @param signed    whether the number is signed (an exptime) or unsigned (a delta)
     * @param badNumber the reply when token 2 is not such a number
     * @return the refusal (ERROR, or an error reply unless noreply), or null if the line passes;
     *         the number is then in {@link CommandLine#number()}
     */
    private Outcome refuseLine(int next, boolean signed, byte[] badNumber) {
        int n = line.count();
        if (n != 3 && n != 4) {
            return request.error(next);
        }
        request.noreply(line.lastIsNoreply());
        if (line.length(1) > Store.MAX_KEY_LENGTH) {
            return request.reply(next, Ascii.BAD_FORMAT);
        }
        return (signed ? line.parseSigned(2) : line.parseUnsigned(2)) ? null : request.reply(next, badNumber);
    }
}
