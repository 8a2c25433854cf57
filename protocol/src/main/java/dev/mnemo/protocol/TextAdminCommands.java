package dev.mnemo.protocol;

import dev.mnemo.store.Store;

import java.nio.charset.StandardCharsets;

/**
 * The text protocol's commands on the server and the store as a whole (protocol.txt
 * "Statistics", "Other commands"): stats ({@link TextStats}), flush_all, version, verbosity,
 * quit, shutdown, cache_memlimit and refresh_certs, with memcached 1.6.18's replies and errors. Not
 * thread-safe: one per connection.
 */
final class TextAdminCommands {

    private static final byte[] VERSION_REPLY =
            ("VERSION " + TextProtocol.VERSION + "\r\n").getBytes(StandardCharsets.US_ASCII);

    private final Store store;
    private final ServerContext server;
    private final TextRequest request;
    private final CommandLine line;
    /** Built by the first "stats": most connections never send one. */
    private TextStats stats;
    private int watchedStreams;

    TextAdminCommands(Store store, ServerContext server, TextRequest request) {
        this.store = store;
        this.server = server;
        this.request = request;
        this.line = request.line;
    }

    /** stats [group ...]. @param next buffer index just past the line's newline */
    Outcome stats(int next) {
        if (stats == null) {
            stats = new TextStats(store, server);
        }
        stats.write(line, request.out());
        return request.finish(next);
    }

    /** @return the streams of the last accepted "watch"; 0 before */
    int watchedStreams() {
        return watchedStreams;
    }

    /**
     * watch [stream ...]: OK, then the connection is a log stream ({@link WatchLog}); fetchers
     * without a stream; ERROR for a stream memcached 1.6.18 does not know; with
     * {@value WatchLog#MAX_WATCHERS} watchers already, WATCHER_TOO_MANY and the connection stays
     * a plain one, as memcached's (proto_text.c process_watch_command).
     *
     * @param next buffer index just past the line's newline
     * @return {@link Outcome#WATCH} only with a slot reserved, which the connection must attach
     */
    Outcome watch(int next) {
        int streams = 0;
        for (int i = 1; i < line.count(); i++) {
            int stream = WatchLog.stream(line, i);
            if (stream == 0) {
                return request.error(next);
            }
            streams |= stream;
        }
        if (!request.watchLog.reserve()) {
            request.out().writeBytes(Ascii.WATCHER_TOO_MANY);
            return request.finish(next);
        }
        watchedStreams = line.count() == 1 ? WatchLog.FETCHERS : streams;
        request.out().writeBytes(Ascii.OK);
        request.finish(next);
        return Outcome.WATCH;
    }

    /** version. @param next buffer index just past the line's newline */
    Outcome version(int next) {
        request.out().writeBytes(VERSION_REPLY);
        return request.finish(next);
    }

    /** quit: consumes the line, then the connection closes. @param next buffer index just past the line's newline */
    Outcome quit(int next) {
        request.finish(next);
        return request.discard.closeAfterThis();
    }

    /** flush_all [delay] [noreply]. @param next buffer index just past the line's newline */
    Outcome flushAll(int next) {
        TextRequest r = request;
        int n = line.count();
        if (n > 3) {
            return r.error(next);
        }
        r.noreply(line.lastIsNoreply());
        long exptime = 0;
        if (n != (r.noreply() ? 2 : 1)) {
            if (!line.parseSigned(1)) {
                return r.reply(next, Ascii.BAD_EXPTIME);
            }
            exptime = line.number();
        }
        store.flushAll(exptime <= 0 ? 0 : Exptime.toExpiresAt(exptime, store));
        return r.reply(next, Ascii.OK);
    }

    /** verbosity level [noreply]: memcached caps the level at 2. @param next buffer index just past the line's newline */
    Outcome verbosity(int next) {
        Outcome refused = refuseLine(next, Ascii.BAD_FORMAT);
        if (refused != null) {
            return refused;
        }
        long level = line.number();
        server.setVerbosity(Long.compareUnsigned(level, 2) > 0 ? 2 : (int) level);
        return request.reply(next, Ascii.OK);
    }

    /** shutdown [graceful]: only with memcached's -A (Settings.shutdownEnabled). @param next buffer index just past the line's newline */
    Outcome shutdown(int next) {
        TextRequest r = request;
        if (!server.settings().shutdownEnabled()) {
            return r.reply(next, Ascii.SHUTDOWN_DISABLED);
        }
        int n = line.count();
        if (n == 1 || (n == 2 && line.is(1, Ascii.GRACEFUL))) {
            server.shutdown();
            return quit(next);
        }
        return r.reply(next, Ascii.BAD_SHUTDOWN_MODE);
    }

    /**
     * cache_memlimit megabytes [noreply]: changes the store's memory limit at run time. Unlike
     * memcached, Mnemo cannot raise it above the limit the store was opened with (-m): that is
     * refused with memcached's "MEMLIMIT_ADJUST_FAILED out of bounds or unable to adjust".
     *
     * @param next buffer index just past the line's newline
     */
    Outcome cacheMemlimit(int next) {
        TextRequest r = request;
        Outcome refused = refuseLine(next, Ascii.ERROR);
        if (refused != null) {
            return refused;
        }
        // memcached reads the megabytes into a uint32_t
        long megabytes = line.number() & 0xFFFF_FFFFL;
        if (megabytes < 8) {
            return r.reply(next, Ascii.MEMLIMIT_TOO_SMALL);
        }
        if (megabytes > 1_000_000_000L) {
            return r.reply(next, Ascii.MEMLIMIT_NOT_BYTES);
        }
        long bytes = megabytes << 20;
        // the region is sized when the store opens: it can shrink, never grow past that
        if (bytes > store.memoryLimit()) {
            return r.reply(next, Ascii.MEMLIMIT_FAILED);
        }
        try {
            store.setMemoryLimit(bytes);
        } catch (IllegalArgumentException e) {
            return r.reply(next, Ascii.MEMLIMIT_FAILED);
        }
        return r.reply(next, Ascii.OK);
    }

    /**
     * refresh_certs [noreply]: reloads the TLS certificate and key; OK, or memcached's reason why
     * not, which noreply does not silence (memcached's out_errstring).
     *
     * @param next buffer index just past the line's newline
     */
    Outcome refreshCerts(int next) {
        String failure = server.refreshCerts();
        request.noreply(failure == null && line.lastIsNoreply());
        return request.reply(next, failure == null ? Ascii.OK
                : (failure + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The checks verbosity and cache_memlimit make: an unsigned number as token 1 and an
     * optional noreply.
     *
     * @param badNumber the reply when token 1 is not such a number
     * @return the refusal (ERROR, or {@code badNumber} unless noreply), or null if the line
     *         passes; the number is then in {@link CommandLine#number()}
     */
    private Outcome refuseLine(int next, byte[] badNumber) {
        int n = line.count();
        if (n != 2 && n != 3) {
            return request.error(next);
        }
        request.noreply(line.lastIsNoreply());
        return line.parseUnsigned(1) ? null : request.reply(next, badNumber);
    }
}
