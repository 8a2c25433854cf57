package dev.mnemo.protocol;

import dev.mnemo.store.ItemWrite;
import dev.mnemo.store.Store;
import dev.mnemo.store.WriteResult;

import java.lang.foreign.MemorySegment;

/**
 * The text protocol's storage commands (protocol.txt "Storage commands"): set, add, replace,
 * append, prepend and cas, as memcached 1.6.18 reads and answers them. The data block must
 * follow the line with exactly {@code <bytes>} bytes and "\r\n" ("CLIENT_ERROR bad data chunk"
 * after consuming {@code <bytes>} + 2 bytes otherwise). A block over
 * {@link Settings#maxItemSize()} bytes is answered "SERVER_ERROR object too large for cache" at
 * once and discarded as it arrives; a set refused for size or memory also drops the key's old
 * item ({@link StorageSemantics}).
 *
 * <p>Key and value go to the store as views of the inbound buffer, through one reused
 * {@link ItemWrite}; nothing is allocated. Not
 * thread-safe: one per connection.
 */
final class TextStorageCommands {

    private final Store store;
    private final StorageSemantics semantics;
    private final ServerContext server;
    private final TextRequest request;
    private final CommandLine line;
    private final ItemWrite write = new ItemWrite();

    TextStorageCommands(Store store, ServerContext server, TextRequest request) {
        this.store = store;
        this.semantics = new StorageSemantics(store);
        this.server = server;
        this.request = request;
        this.line = request.line;
    }

    /**
     * @param next    buffer index just past the command line's newline
     * @param command the command the line names
     */
    Outcome execute(int next, StorageCommand command) {
        TextRequest r = request;
        int n = line.count();
        int tokens = command == StorageCommand.CAS ? 6 : 5;
        if (n != tokens && n != tokens + 1) {
            return r.error(next);
        }
        r.noreply(line.lastIsNoreply());
        if (line.length(1) > Store.MAX_KEY_LENGTH || !line.parseUnsigned(2)) {
            return r.reply(next, Ascii.BAD_FORMAT);
        }
        int clientFlags = (int) line.number();
        if (!line.parseSigned(3)) {
            return r.reply(next, Ascii.BAD_FORMAT);
        }
        long exptime = line.number();
        if (!line.parseSigned(4)) {
            return r.reply(next, Ascii.BAD_FORMAT);
        }
        // memcached keeps the low 32 bits of the length (an int32_t)
        int length = (int) line.number();
        if (length < 0 || length > Integer.MAX_VALUE - 2) {
            return r.reply(next, Ascii.BAD_FORMAT);
        }
        long casUnique = 0;
        if (command == StorageCommand.CAS) {
            if (!line.parseUnsigned(5)) {
                return r.reply(next, Ascii.BAD_FORMAT);
            }
            casUnique = line.number();
        }
        boolean set = command == StorageCommand.SET;
        if (length > server.settings().maxItemSize()) {
            MemorySegment key = r.view(line.start(1) + line.length(1));
            r.prefixStats.set(key, r.base() + line.start(1), line.length(1));
            if (set) {
                semantics.dropOldItem(key, r.base() + line.start(1), line.length(1));
            }
            r.discard.discard(length + 2L);
            return r.reply(next, Ascii.TOO_LARGE);
        }
        long dataEnd = (long) next + length + 2;
        if (r.in().writerIndex() < dataEnd) {
            return r.awaitData(dataEnd);
        }
        int end = (int) dataEnd;
        MemorySegment memory = r.view(end);
        long base = r.base();
        r.prefixStats.set(memory, base + line.start(1), line.length(1)); // memcached counts a bad chunk too
        if (r.in().getByte(end - 2) != '\r' || r.in().getByte(end - 1) != '\n') {
            return r.reply(end, Ascii.BAD_DATA_CHUNK);
        }
        ItemWrite w = write.reset().key(memory, base + line.start(1), line.length(1)).value(memory, base + next, length)
                .clientFlags(clientFlags).expiresAt(Exptime.toExpiresAt(exptime, store)).casUnique(casUnique);
        WriteResult result = semantics.store(command, w); // a failed set drops the old item in the store
        w.reset();
        if (r.watchLog.watching(WatchLog.MUTATIONS)) {
            long expiresAt = Exptime.toExpiresAt(exptime, store);
            r.watchLog.stored(memory, base + line.start(1), line.length(1), status(result),
                    command.name().toLowerCase(java.util.Locale.ROOT), expiresAt == 0 ? 0 : expiresAt - store.nowSeconds(),
                    length, r.connectionId);
        }
        return switch (result) {
            case STORED -> r.reply(end, Ascii.STORED);
            case NOT_STORED -> r.reply(end, Ascii.NOT_STORED);
            case EXISTS -> r.reply(end, Ascii.EXISTS);
            case NOT_FOUND -> r.reply(end, Ascii.NOT_FOUND);
            case TOO_LARGE -> r.reply(end, Ascii.TOO_LARGE);
            case OUT_OF_MEMORY -> r.reply(end, Ascii.OUT_OF_MEMORY_STORING);
        };
    }

    /** @return memcached's item_store status for a storage command's result */
    static String status(WriteResult result) {
        return switch (result) {
            case STORED -> "stored";
            case NOT_STORED -> "not_stored";
            case EXISTS -> "exists";
            case NOT_FOUND -> "not_found";
            case TOO_LARGE -> "too_large";
            case OUT_OF_MEMORY -> "no_memory";
        };
    }
}
