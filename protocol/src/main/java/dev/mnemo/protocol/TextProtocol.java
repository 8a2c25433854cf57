package dev.mnemo.protocol;

import dev.mnemo.store.Store;
import io.netty.buffer.ByteBuf;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

/**
 * memcached's text protocol for one connection (protocol.txt), meta commands included: finds
 * each command line in the connection's inbound bytes, parses it ({@link CommandLine}) and
 * hands it to the family of commands it names — {@link TextStorageCommands},
 * {@link TextRetrievalCommands}, {@link TextItemCommands}, {@link TextAdminCommands} and, for
 * a two-byte command starting with 'm', {@link MetaProtocol} — which execute it on the store
 * and append the reply to the outbound buffer. Not thread-safe: one instance per connection,
 * used by its event loop only.
 *
 * <p>Replies and error handling are byte-for-byte those of memcached 1.6 (checked against
 * 1.6.18): the same strings, the same token-count rules, "noreply" suppressing every reply of
 * the command that carries it, a NUL byte ending the command line as it ends a C string,
 * numbers read as C's strtol/strtoull read them, a command line of more than
 * {@value #MAX_LINE_LENGTH} bytes with no newline closing the connection (unless it starts with
 * "get " or "gets ", whose key lists may be longer — up to {@link Settings#maxItemSize()} bytes
 * here, where memcached has no bound).
 *
 * <p>Differences: {@link Settings#maxItemSize()} bounds the data block (a value of exactly
 * that many bytes is stored), where memcached's {@code -I} bounds the whole item; a longer
 * block is refused at once and discarded as it arrives ({@link InputDiscard}), never buffered.
 * And "cache_memlimit" cannot raise the limit above the one the store was opened with.
 *
 * <p>With an {@link AuthFile} (memcached -S / -Y), a connection must first authenticate as
 * memcached's -Y text authentication does: a {@code set} whose data is "username password".
 *
 * <p>Keys and values go to the store as slices of the inbound buffer and values come back
 * from it straight into the outbound buffer: a get or mg hit copies the value once and
 * allocates nothing.
 */
public final class TextProtocol implements Protocol {

    /**
     * The version "version" and "stats" report: the memcached release whose behaviour this
     * protocol reproduces, then Mnemo's own version, so that clients that compare version
     * numbers to detect features (libmemcached does) see a memcached 1.6.
     */
    public static final String VERSION = "1.6.18-mnemo-0.1.0";

    /** Bytes memcached accepts without a newline before it closes the connection. */
    public static final int MAX_LINE_LENGTH = 2048;

    /** First bytes of the commands whose unknown words memcached answers ERROR, never a close. */
    private static final String HTTP_EXEMPT_FIRST_BYTES = "acdgist";

    /** Commands memcached knows outside those letters that this server does not implement. */
    private static final byte[][] MEMCACHED_ONLY_COMMANDS = Stream.of("lru", "lru_crawler", "watch", "debugtime", "extstore")
            .map(word -> word.getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);

    /** The prefix of an HTTP request line's last token. */
    private static final byte[] HTTP_VERSION = "HTTP/".getBytes(StandardCharsets.US_ASCII);

    /** The tokens memcached's text tokenizer keeps; the last holds the rest of a longer line. */
    private static final int MAX_HTTP_TOKENS = 23;

    /** Spaces memcached skips before a long line's "get "/"gets " (proto_text.c). */
    private static final int MAX_LEADING_SPACES = 100;

    private final Store store;
    private final ServerContext server;
    private final TextRequest request;
    private final CommandLine line;
    private final TextRetrievalCommands retrieval;
    // The families below are built by the first command that needs them, so that a connection
    // holds only the state of the commands it sends (issue 16: bytes per idle connection).
    private TextStorageCommands storage;
    private TextItemCommands items;
    private TextAdminCommands admin;
    private TextCrawlerCommands crawler;
    private MetaProtocol meta;
    /** The credentials clients must present (memcached -Y), or null when authentication is off. */
    private final AuthFile auth;
    private boolean authenticated;

    /**
     * @param store        the store requests execute on
     * @param server       the server this connection belongs to
     * @param connectionId the connection's number (1 or more; "watch" lines' cfd),
     *                     or {@link Protocol#NO_CONNECTION} for UDP datagrams ("watch" is then an
     *                     unknown command)
     */
    public TextProtocol(Store store, ServerContext server, int connectionId) {
        this.store = store;
        this.server = server;
        this.request = new TextRequest(server, connectionId);
        this.line = request.line;
        this.retrieval = new TextRetrievalCommands(store, request);
        this.auth = server.authFile();
    }

    @Override
    public Outcome process(ByteBuf in, ByteBuf out) {
        request.clearAwaited();
        Outcome discarding = request.discard.before(in);
        if (discarding != null) {
            return discarding;
        }
        int start = in.readerIndex();
        int end = in.writerIndex();
        if (start == end) {
            return Outcome.NEED_MORE_INPUT;
        }
        int lf = in.indexOf(start, end, (byte) '\n');
        if (lf < 0) {
            if (end - start > MAX_LINE_LENGTH && !isMultiGetPrefix(in, start, end)) {
                return request.discard.close(in);
            }
            return Outcome.NEED_MORE_INPUT;
        }
        request.begin(in, out);
        int lineEnd = lf > start && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
        MemorySegment memory = request.view(lf + 1);
        line.parse(memory, request.base(), start, lineEnd);
        if (retrieval.continues()) {
            return retrieval.resume(lf + 1);
        }
        if (crawler != null && crawler.dumping()) {
            return crawler.resume(lf + 1);
        }
        request.noreply(false);
        if (auth != null && !authenticated) {
            return authenticate(lf + 1);
        }
        return execute(lf + 1);
    }

    @Override
    public int awaitedRequestBytes() {
        return request.awaitedBytes();
    }

    @Override
    public int watchedStreams() {
        return admin == null ? 0 : admin.watchedStreams();
    }

    /** Forgets a data block still to discard, a multi-key get to carry on and a close. */
    @Override
    public void reset() {
        request.discard.reset();
        retrieval.reset();
        if (crawler != null) {
            crawler.reset();
        }
    }

    /**
     * memcached's -Y text authentication: before anything else the client sends
     * {@code set <key> <flags> <exptime> <bytes> [noreply]} whose data is "username password";
     * the reply is STORED (noreply or not) and the connection is authenticated. Any other
     * command, a malformed token or wrong credentials get memcached's CLIENT_ERROR and close
     * the connection. Tokens longer than {@value SaslPlain#MAX_MESSAGE} bytes are refused
     * unread.
     */
    private Outcome authenticate(int next) {
        ByteBuf in = request.in();
        ByteBuf out = request.out();
        int n = line.count();
        if (!line.is(0, Ascii.SET) || (n != 5 && n != 6) || !line.parseSigned(4)) {
            out.writeBytes(Ascii.UNAUTHENTICATED);
            return request.discard.close(in);
        }
        long length = line.number();
        if (length < 0 || length > SaslPlain.MAX_MESSAGE) {
            auth.countFailure();
            out.writeBytes(Ascii.BAD_AUTH_TOKEN);
            return request.discard.close(in);
        }
        long dataEnd = next + length + 2;
        if (in.writerIndex() < dataEnd) {
            return Outcome.NEED_MORE_INPUT;
        }
        int space = in.indexOf(next, next + (int) length, (byte) ' ');
        if (space < 0) {
            auth.countFailure();
            out.writeBytes(Ascii.BAD_AUTH_TOKEN);
            return request.discard.close(in);
        }
        int passwordEnd = in.indexOf(space + 1, next + (int) length, (byte) ' ');
        byte[] user = new byte[space - next];
        in.getBytes(next, user);
        byte[] password = new byte[(passwordEnd < 0 ? next + (int) length : passwordEnd) - space - 1];
        in.getBytes(space + 1, password);
        if (!auth.check(user, password)) {
            out.writeBytes(Ascii.AUTH_FAILURE);
            return request.discard.close(in);
        }
        authenticated = true;
        out.writeBytes(Ascii.STORED);
        return request.consume((int) dataEnd);
    }

    /** Dispatches the parsed line to its command. @param next buffer index just past the line's newline */
    private Outcome execute(int next) {
        int n = line.count();
        if (n == 0) {
            return request.error(next);
        }
        if (line.is(0, Ascii.GET)) {
            return n >= 2 ? retrieval.execute(next, false, false) : request.error(next);
        }
        if (line.length(0) == 2 && line.startsWith(0, (byte) 'm')) {
            return meta().execute(next);
        }
        if (line.is(0, Ascii.SET)) {
            return storage().execute(next, StorageCommand.SET);
        }
        if (line.is(0, Ascii.GETS)) {
            return n >= 2 ? retrieval.execute(next, true, false) : request.error(next);
        }
        if (line.is(0, Ascii.DELETE)) {
            return items().delete(next);
        }
        if (line.is(0, Ascii.INCR)) {
            return items().incrDecr(next, true);
        }
        if (line.is(0, Ascii.DECR)) {
            return items().incrDecr(next, false);
        }
        if (line.is(0, Ascii.ADD)) {
            return storage().execute(next, StorageCommand.ADD);
        }
        if (line.is(0, Ascii.REPLACE)) {
            return storage().execute(next, StorageCommand.REPLACE);
        }
        if (line.is(0, Ascii.APPEND)) {
            return storage().execute(next, StorageCommand.APPEND);
        }
        if (line.is(0, Ascii.PREPEND)) {
            return storage().execute(next, StorageCommand.PREPEND);
        }
        if (line.is(0, Ascii.CAS)) {
            return storage().execute(next, StorageCommand.CAS);
        }
        if (line.is(0, Ascii.TOUCH)) {
            return items().touch(next);
        }
        if (line.is(0, Ascii.GAT)) {
            return n >= 2 ? retrieval.execute(next, false, true) : request.error(next);
        }
        if (line.is(0, Ascii.GATS)) {
            return n >= 2 ? retrieval.execute(next, true, true) : request.error(next);
        }
        if (line.is(0, Ascii.STATS)) {
            return admin().stats(next);
        }
        if (line.is(0, Ascii.FLUSH_ALL)) {
            return admin().flushAll(next);
        }
        if (line.is(0, Ascii.VERSION)) {
            return admin().version(next);
        }
        if (line.is(0, Ascii.VERBOSITY)) {
            return admin().verbosity(next);
        }
        if (line.is(0, Ascii.QUIT)) {
            return admin().quit(next);
        }
        if (line.is(0, Ascii.SHUTDOWN)) {
            return admin().shutdown(next);
        }
        if (line.is(0, Ascii.CACHE_MEMLIMIT)) {
            return admin().cacheMemlimit(next);
        }
        if (line.is(0, Ascii.REFRESH_CERTS)) {
            return admin().refreshCerts(next);
        }
        if (line.is(0, Ascii.LRU_CRAWLER)) {
            return crawler().lruCrawler(next);
        }
        if (line.is(0, Ascii.SLABS)) {
            return crawler().slabs(next);
        }
        if (line.is(0, Ascii.WATCH) && request.connectionId > 0) {
            return admin().watch(next);
        }
        return isHttpRequestLine() ? request.discard.close(request.in()) : request.error(next);
    }

    /**
     * memcached 1.6.18's test for an HTTP request sent to it (proto_text.c), so that a browser or
     * a cross-protocol attack gets no reply, only a close: an unknown command of two bytes or
     * more, not one of the words memcached's per-letter dispatch answers with ERROR (those
     * starting a, c, d, g, i, s or t, and a few others it knows), whose last token — the 23rd
     * on a longer line, as memcached's tokenizer keeps 23 — starts with "HTTP/".
     */
    private boolean isHttpRequestLine() {
        if (line.length(0) < 2) {
            return false;
        }
        for (int i = 0; i < HTTP_EXEMPT_FIRST_BYTES.length(); i++) {
            if (line.startsWith(0, (byte) HTTP_EXEMPT_FIRST_BYTES.charAt(i))) {
                return false;
            }
        }
        for (byte[] known : MEMCACHED_ONLY_COMMANDS) {
            if (line.is(0, known)) {
                return false;
            }
        }
        return line.tokenStartsWith(Math.min(line.count(), MAX_HTTP_TOKENS) - 1, HTTP_VERSION);
    }

    private TextStorageCommands storage() {
        if (storage == null) {
            storage = new TextStorageCommands(store, server, request);
        }
        return storage;
    }

    private TextItemCommands items() {
        if (items == null) {
            items = new TextItemCommands(store, request);
        }
        return items;
    }

    private TextAdminCommands admin() {
        if (admin == null) {
            admin = new TextAdminCommands(store, server, request);
        }
        return admin;
    }

    private TextCrawlerCommands crawler() {
        if (crawler == null) {
            crawler = new TextCrawlerCommands(store, request);
        }
        return crawler;
    }

    private MetaProtocol meta() {
        if (meta == null) {
            meta = new MetaProtocol(store, server, request);
        }
        return meta;
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
}
