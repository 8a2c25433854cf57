package dev.mnemo.protocol;

import dev.mnemo.store.ItemReader;
import dev.mnemo.store.ItemView;
import dev.mnemo.store.Store;
import io.netty.buffer.ByteBuf;

import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * memcached's {@code lru_crawler} and {@code slabs} commands, with memcached 1.6.18's syntax
 * checks and replies. Mnemo has no crawler thread and no slab classes to move pages between, so
 * {@code crawl}, {@code tocrawl}, {@code sleep}, {@code enable}, {@code disable} and
 * {@code slabs automove} are accepted and change nothing, and {@code slabs reassign} answers as
 * memcached does for a class with no spare page. {@code lru_crawler metadump} and
 * {@code mgdump} stream every live item's key, {@value #BUCKETS_PER_CALL} index buckets per
 * call ({@link Outcome#MORE_OUTPUT}), so a dump of any store holds little memory and never stops
 * other requests. The whole store is slab class {@value #CLASS_ID} (docs/STATS.md). Not
 * thread-safe: one per connection.
 */
final class TextCrawlerCommands implements ItemReader {

    /** The one slab class Mnemo reports (docs/STATS.md). */
    static final int CLASS_ID = 1;
    /** Index buckets walked per call (up to 7 items each): bounds the output held per call. */
    static final int BUCKETS_PER_CALL = 256;
    /** memcached's largest valid class id for lru_crawler (MAX_NUMBER_OF_SLAB_CLASSES - 1). */
    private static final int LARGEST_CRAWLER_CLASS = 63;

    private static final byte[] CRAWL = ascii("crawl");
    private static final byte[] METADUMP = ascii("metadump");
    private static final byte[] MGDUMP = ascii("mgdump");
    private static final byte[] TOCRAWL = ascii("tocrawl");
    private static final byte[] SLEEP = ascii("sleep");
    private static final byte[] ENABLE = ascii("enable");
    private static final byte[] DISABLE = ascii("disable");
    private static final byte[] ALL = ascii("all");
    private static final byte[] HASH = ascii("hash");
    private static final byte[] REASSIGN = ascii("reassign");
    private static final byte[] AUTOMOVE = ascii("automove");
    private static final byte[] BADCLASS = ascii("BADCLASS invalid class id\r\n");
    private static final byte[] UNKNOWN_ERROR = ascii("ERROR an unknown error happened\r\n");
    private static final byte[] SLEEP_TOO_LONG = ascii("CLIENT_ERROR sleep must be one second or less\r\n");
    private static final byte[] REASSIGN_SAME = ascii("SAME src and dst class are identical\r\n");
    private static final byte[] REASSIGN_BADCLASS = ascii("BADCLASS invalid src or dst class id\r\n");
    private static final byte[] REASSIGN_NOSPARE = ascii("NOSPARE source class has no spare pages\r\n");
    private static final byte[] END = ascii("END\r\n");
    private static final byte[] MGDUMP_END = ascii("EN\r\n");
    private static final byte[] HEX = ascii("0123456789ABCDEF");
    private static final long NO_DUMP = -2;

    private final Store store;
    private final TextRequest request;
    private final CommandLine line;
    private final byte[] digits = new byte[20];
    /** Which dump: mgdump's lines or metadump's. */
    private boolean mgdump;
    /** Where {@link #read} writes, during a {@link Store#scan} call. */
    private ByteBuf out;
    /**
     * The next bucket of the dump under way ({@link Store#scan}); -1 when only its end line is
     * left (all its buckets walked, or no class it names holds items); {@link #NO_DUMP} if none.
     */
    private long cursor = NO_DUMP;

    TextCrawlerCommands(Store store, TextRequest request) {
        this.line = request.line;
        this.request = request;
        this.store = store;
    }

    /** lru_crawler &lt;sub-command&gt; ... @param next buffer index just past the line's newline */
    Outcome lruCrawler(int next) {
        TextRequest r = request;
        int n = line.count();
        if (n == 3 && line.is(1, CRAWL)) {
            int classes = classes(2);
            return r.reply(next, classes >= 0 ? Ascii.OK : classes == -2 ? UNKNOWN_ERROR : BADCLASS);
        }
        if (n == 3 && (line.is(1, METADUMP) || line.is(1, MGDUMP))) {
            int classes = classes(2);
            if (classes == -1) {
                return r.reply(next, BADCLASS);
            }
            mgdump = line.is(1, MGDUMP);
            cursor = classes == 0 ? 0 : -1;
            return resume(next);
        }
        if (n == 3 && line.is(1, TOCRAWL)) {
            return r.reply(next, line.parseUnsigned(2) ? Ascii.OK : Ascii.BAD_FORMAT);
        }
        if (n == 3 && line.is(1, SLEEP)) {
            if (!line.parseUnsigned(2)) {
                return r.reply(next, Ascii.BAD_FORMAT);
            }
            // memcached reads it into a uint32_t
            return r.reply(next, (line.number() & 0xFFFF_FFFFL) > 1_000_000 ? SLEEP_TOO_LONG : Ascii.OK);
        }
        if (n == 2 && (line.is(1, ENABLE) || line.is(1, DISABLE))) {
            return r.reply(next, Ascii.OK);
        }
        return r.error(next);
    }

    /**
     * Writes the next part of the dump under way: {@value #BUCKETS_PER_CALL} buckets' items, or
     * the end line.
     *
     * @param next buffer index just past the line's newline
     * @return {@link Outcome#MORE_OUTPUT} (the line stays unconsumed) until the last part
     */
    Outcome resume(int next) {
        if (cursor >= 0) {
            out = request.out();
            cursor = store.scan(cursor, BUCKETS_PER_CALL, this);
            out = null;
        }
        if (cursor >= 0) {
            return Outcome.MORE_OUTPUT;
        }
        cursor = NO_DUMP;
        request.out().writeBytes(mgdump ? MGDUMP_END : END);
        return request.finish(next);
    }

    /** @return whether a dump is under way: the next call with this line is {@link #resume} */
    boolean dumping() {
        return cursor != NO_DUMP;
    }

    /** Abandons a dump under way (the connection's state was reset). */
    void reset() {
        cursor = NO_DUMP;
    }

    /** One item's dump line, memcached's crawler_metadump_eval or crawler_mgdump_eval format. */
    @Override
    public void read(ItemView item) {
        if (mgdump) {
            out.writeByte('m').writeByte('g').writeByte(' ');
            for (long i = 0; i < item.keyLength(); i++) {
                out.writeByte(item.memory().get(ValueLayout.JAVA_BYTE, item.keyOffset() + i));
            }
            out.writeByte('\r').writeByte('\n');
            return;
        }
        out.writeCharSequence("key=", StandardCharsets.US_ASCII);
        for (long i = 0; i < item.keyLength(); i++) {
            int b = item.memory().get(ValueLayout.JAVA_BYTE, item.keyOffset() + i) & 0xFF;
            if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                    || b == '-' || b == '.' || b == '_' || b == '~') {
                out.writeByte(b);
            } else {
                out.writeByte('%').writeByte(HEX[b >>> 4]).writeByte(HEX[b & 15]);
            }
        }
        out.writeCharSequence(" exp=", StandardCharsets.US_ASCII);
        if (item.expiresAt() == 0) {
            out.writeByte('-').writeByte('1');
        } else {
            number(item.expiresAt());
        }
        out.writeCharSequence(" la=", StandardCharsets.US_ASCII);
        number(item.lastAccess());
        out.writeCharSequence(" cas=", StandardCharsets.US_ASCII);
        number(item.casUnique());
        out.writeCharSequence(item.isFetched() ? " fetch=yes cls=" : " fetch=no cls=", StandardCharsets.US_ASCII);
        number(CLASS_ID);
        out.writeCharSequence(" size=", StandardCharsets.US_ASCII);
        number(item.itemSize());
        out.writeByte('\n');
    }

    /** slabs reassign &lt;src&gt; &lt;dst&gt; | slabs automove &lt;0|1|2&gt;. @param next buffer index just past the line's newline */
    Outcome slabs(int next) {
        TextRequest r = request;
        int n = line.count();
        if (n == 4 && line.is(1, REASSIGN)) {
            if (!line.parseSigned(2)) {
                return r.reply(next, Ascii.BAD_FORMAT);
            }
            long src = (int) line.number(); // memcached reads both into an int
            if (!line.parseSigned(3)) {
                return r.reply(next, Ascii.BAD_FORMAT);
            }
            long dst = (int) line.number();
            if (src == dst) {
                return r.reply(next, REASSIGN_SAME);
            }
            boolean valid = src >= 0 && src <= CLASS_ID && dst >= 0 && dst <= CLASS_ID;
            return r.reply(next, valid ? REASSIGN_NOSPARE : REASSIGN_BADCLASS);
        }
        if (n >= 3 && line.is(1, AUTOMOVE)) {
            r.noreply(line.lastIsNoreply());
            if (!line.parseUnsigned(2)) {
                return r.reply(next, Ascii.BAD_FORMAT);
            }
            // memcached reads the level into a uint32_t: 0, 1 and 2 are levels, anything else ERROR
            return (line.number() & 0xFFFF_FFFFL) <= 2 ? r.reply(next, Ascii.OK) : r.error(next);
        }
        return r.error(next);
    }

    /**
     * Reads a class list as memcached's lru_crawler does: {@code all}, {@code hash}, or class ids
     * from 1 to 63 separated by commas (empty ids skipped).
     *
     * @return 0 if it names class 1 (every item), 1 if only other valid classes (no items),
     *         -1 for an invalid id, -2 for {@code hash} (which crawl refuses)
     */
    private int classes(int token) {
        if (line.is(token, ALL)) {
            return 0;
        }
        if (line.is(token, HASH)) {
            return line.is(1, CRAWL) ? -2 : 0;
        }
        ByteBuf in = request.in();
        int end = line.start(token) + line.length(token);
        boolean named = false;
        long id = -1;
        for (int i = line.start(token); i <= end; i++) {
            byte b = i < end ? in.getByte(i) : (byte) ',';
            if (b == ',') {
                if (id == 0 || id > LARGEST_CRAWLER_CLASS) {
                    return -1;
                }
                named |= id == CLASS_ID;
                id = -1;
            } else if (b >= '0' && b <= '9') {
                id = Math.min(Integer.MAX_VALUE, (id < 0 ? 0 : id * 10) + (b - '0'));
            } else {
                return -1;
            }
        }
        return named ? 0 : 1;
    }

    private void number(long value) {
        out.writeBytes(digits, 0, Ascii.putUnsigned(digits, 0, value));
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
