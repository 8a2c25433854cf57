package dev.mnemo.protocol;

import dev.mnemo.store.ArithmeticResult;
import dev.mnemo.store.DeleteResult;
import dev.mnemo.store.ItemReader;
import dev.mnemo.store.ItemView;
import dev.mnemo.store.ItemWrite;
import dev.mnemo.store.MetaItem;
import dev.mnemo.store.MetaOperations;
import dev.mnemo.store.Store;
import dev.mnemo.store.WriteResult;
import io.netty.buffer.ByteBuf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Executes memcached's meta commands (protocol.txt "Meta Commands": mg, ms, md, ma, mn, me) for
 * one connection of the text protocol. It is not a {@link Protocol} of its own: meta commands
 * arrive on the text connection, mixed freely with the classic commands and sharing their
 * framing (the 2048-byte line limit, a NUL ending the line, the discarding of a refused data
 * block), so {@link TextProtocol} finds and parses each line and hands this class every one whose
 * command is two bytes starting with 'm' ({@link #execute(int)}). Replies are memcached 1.6.18's
 * byte for byte: return flags in the order the request gave them, then Z, X, W; quiet mode (q)
 * drops EN of mg and HD of ms, md and ma (and ma's VA), never an error or another code.
 *
 * <p>Differences from 1.6.18 (README "Meta commands"): E (explicit CAS) on every command and x
 * (md: drop the value) of later memcached releases are understood, where 1.6.18 answers
 * "CLIENT_ERROR invalid flag"; ms with N and mode A or P adds a missing item, as protocol.txt
 * says (1.6.18 answers NS); me reports cls=1 (Mnemo has no slab classes) and size = Mnemo's
 * item bytes (24-byte header, key, value). As in 1.6.18, k returns a key base64-encoded and
 * followed by " b" when the item was stored with b (mg, me) or the request used b (ms, md, ma).
 * A storage command's CAS rule and a failed ms dropping the old item are
 * {@link StorageSemantics}'.
 *
 * <p>mg composes its reply line in a reusable {@link MetaReplyLine} and copies the value from
 * the store into the outbound buffer once; a hit allocates nothing. Not thread-safe: one per
 * connection.
 */
final class MetaProtocol implements ItemReader {

    private final Store store;
    private final StorageSemantics semantics;
    private final TextRequest request;
    private final CommandLine line;
    private final MetaCommand command;
    private final MetaOperations metaOps;
    private final MetaItem metaItem = new MetaItem();
    private final ItemWrite write = new ItemWrite();
    private final BufferMemory outMemory = new BufferMemory();
    private final MetaReplyLine reply = new MetaReplyLine();
    private final byte[] number = new byte[20];
    private final MemorySegment numberMemory = MemorySegment.ofArray(number);
    private final StoredItem storedItem = new StoredItem();
    private final ServerContext server;
    /** The value length of the item mg last read, for "watch" lines' size. */
    private int lastValueLength;
    /** The store's per-item header, in bytes (Store: "Each item takes a 24-byte header"), for me's size. */
    private static final int ITEM_HEADER = 24;

    private ByteBuf out;
    private int mark;

    MetaProtocol(Store store, ServerContext server, TextRequest request) {
        this.store = store;
        this.semantics = new StorageSemantics(store);
        this.metaOps = store.meta();
        this.server = server;
        this.request = request;
        this.line = request.line;
        this.command = new MetaCommand(line);
    }

    /**
     * Executes the meta command on the line the text protocol has just parsed; an ms waits
     * until its data block has arrived, and a refused one's block is discarded as it arrives.
     *
     * @param next buffer index just past the line's newline
     */
    Outcome execute(int next) {
        int available = request.in().writerIndex();
        MemorySegment memory = request.view(available);
        long base = request.base();
        out = request.out();
        command.begin(memory, base);
        int end = execute(memory.get(ValueLayout.JAVA_BYTE, base + line.start(0) + 1), next, available);
        return end < 0 ? Outcome.NEED_MORE_INPUT : request.finish(end);
    }

    /**
     * Executes one meta command (or answers ERROR for another two-byte 'm' command).
     *
     * @param second    the command's second byte
     * @param next      buffer index just past the line's newline
     * @param available buffer index just past the last readable byte
     * @return buffer index just past the request, or -1 if an ms data block has not all arrived
     */
    private int execute(byte second, int next, int available) {
        if (second == 'n') {
            out.writeBytes(MetaReplies.MN_REPLY);
            return next;
        }
        if (second == 'e') {
            debug();
            return next;
        }
        if (command.count() < 2 || (second != 'g' && second != 's' && second != 'd' && second != 'a')) {
            out.writeBytes(Ascii.ERROR);
            return next;
        }
        if (command.rawKeyLength() > Store.MAX_KEY_LENGTH) {
            out.writeBytes(Ascii.BAD_FORMAT);
            return next;
        }
        return switch (second) {
            case 'g' -> get(next);
            case 's' -> set(next, available);
            case 'd' -> delete(next);
            default -> arithmetic(next);
        };
    }

    // ---- mg ----

    private int get(int next) {
        if (command.count() >= MetaCommand.MAX_TOKENS) {
            out.writeBytes(MetaReplies.MG_TOO_MANY_FLAGS);
            return next;
        }
        byte[] error = command.parseFlags(2, false);
        if (error == null) {
            error = opaqueError();
        }
        if (error != null) {
            out.writeBytes(error);
            return next;
        }
        MetaItem meta = metaItem.reset();
        if (command.has('u')) {
            meta.noBump();
        }
        if (command.has('N')) {
            meta.vivify();
        }
        if (command.has('E')) {
            meta.explicitCas(command.number('E'));
        }
        mark = out.writerIndex();
        boolean hit = metaOps.get(command.keyMemory(), command.keyOffset(), command.keyLength(), meta, this);
        if (request.watchLog.watching(WatchLog.FETCHERS)) {
            request.watchLog.fetched(command.keyMemory(), command.keyOffset(), command.keyLength(), hit,
                    lastValueLength, request.connectionId);
        }
        if (!hit && !command.has('q')) {
            writeCodeLine(MetaReplies.EN, false, 0, false);
        }
        return next;
    }

    /**
     * Writes the mg reply for a hit (or a vivified item), applying T, N and R where they stand
     * among the flags; called by the store under the key's locks.
     */
    @Override
    public void read(ItemView item) {
        out.writerIndex(mark);
        lastValueLength = item.valueLength();
        MetaItem meta = metaItem;
        boolean value = command.has('v');
        if (value) {
            reply.start(MetaReplies.VA);
            reply.unsigned(item.valueLength());
        } else {
            reply.start(MetaReplies.HD);
        }
        for (int t = command.flagsFrom(); t < command.count(); t++) {
            byte flag = command.memory().get(ValueLayout.JAVA_BYTE, command.base() + command.start(t));
            switch (flag) {
                case 'T' -> meta.touch(Exptime.toExpiresAt(command.number('T'), meta.now()));
                case 'N' -> meta.vivified(Exptime.toExpiresAt(command.number('N'), meta.now()));
                case 'R' -> meta.recache(Exptime.toExpiresAt(command.number('R'), meta.now()));
                case 'c' -> reply.unsignedFlag('c', item.casUnique());
                case 'f' -> reply.flag('f', item.clientFlags() & 0xFFFF_FFFFL);
                case 'h' -> reply.flag('h', meta.hitBefore() ? 1 : 0);
                case 'k' -> reply.keyFlag(item.memory(), item.keyOffset(), item.keyLength(), meta.isKeyBinary());
                case 'l' -> reply.flag('l', meta.secondsSinceAccess());
                case 'O' -> reply.opaque(command, t);
                case 's' -> reply.flag('s', item.valueLength());
                case 't' -> reply.flag('t', meta.ttl());
                default -> {
                }
            }
        }
        meta.settle();
        if (meta.tokenSent()) {
            reply.letter('Z');
        }
        if (meta.stale()) {
            reply.letter('X');
        }
        if (meta.won()) {
            reply.letter('W');
        }
        reply.end();
        int valueLength = value ? item.valueLength() : 0;
        out.ensureWritable(reply.length() + valueLength + 2);
        reply.writeTo(out);
        if (value) {
            outMemory.append(item.memory(), item.valueOffset(), valueLength, out);
            out.writeBytes(Ascii.CRLF);
        }
    }

    // ---- ms ----

    private int set(int next, int available) {
        if (command.count() == 2) {
            out.writeBytes(Ascii.BAD_FORMAT);
            return next;
        }
        if (command.count() >= MetaCommand.MAX_TOKENS) {
            out.writeBytes(MetaReplies.TOO_MANY_FLAGS);
            return next;
        }
        if (!line.parseInt32(command.start(2), command.start(2) + command.length(2)) || line.number() < 0) {
            out.writeBytes(Ascii.BAD_FORMAT);
            return next;
        }
        int length = (int) line.number();
        long blockEnd = (long) next + length + 2;
        byte[] error = command.parseFlags(3, false);
        if (error == null) {
            error = opaqueError();
        }
        StorageCommand storage = switch (command.mode()) {
            case 0, 'S' -> StorageCommand.SET;
            case 'E' -> StorageCommand.ADD;
            case 'A' -> StorageCommand.APPEND;
            case 'P' -> StorageCommand.PREPEND;
            case 'R' -> StorageCommand.REPLACE;
            default -> null;
        };
        if (error == null && storage == null) {
            error = MetaReplies.MS_BAD_MODE;
        }
        if (error == null && length > server.settings().maxItemSize()) {
            semantics.dropOldItem(command.keyMemory(), command.keyOffset(), command.keyLength());
            error = Ascii.TOO_LARGE;
        }
        if (error != null) {
            out.writeBytes(error);
            request.discard.discard(length + 2L);
            return next;
        }
        if (available < blockEnd) {
            request.awaitData(blockEnd);
            return -1;
        }
        int end = (int) blockEnd;
        MemorySegment memory = command.memory();
        long base = command.base();
        if (memory.get(ValueLayout.JAVA_BYTE, base + end - 2) != '\r' || memory.get(ValueLayout.JAVA_BYTE, base + end - 1) != '\n') {
            out.writeBytes(Ascii.BAD_DATA_CHUNK);
            return end;
        }
        long cas = command.has('C') ? command.number('C') : 0;
        if (command.has('C')) {
            storage = StorageSemantics.withCasUnique(storage, false);
        }
        ItemWrite w = write.reset().key(command.keyMemory(), command.keyOffset(), command.keyLength())
                .value(memory, base + next, length).clientFlags(command.has('F') ? (int) command.number('F') : 0)
                .expiresAt(command.has('T') ? Exptime.toExpiresAt(command.number('T'), store) : 0).casUnique(cas)
                .explicitCas(command.has('E') ? command.number('E') : 0).onStored(storedItem);
        if (command.has('I')) {
            w.invalidate();
        }
        if (command.has('N')) {
            w.vivify(Exptime.toExpiresAt(command.number('N'), store));
        }
        if (command.keyBinary()) {
            w.keyBinary();
        }
        WriteResult status = semantics.metaStore(storage, w); // every mode drops the old item on failure, in the store
        w.reset();
        if (request.watchLog.watching(WatchLog.MUTATIONS)) {
            long expiresAt = command.has('T') ? Exptime.toExpiresAt(command.number('T'), store) : 0;
            request.watchLog.stored(command.keyMemory(), command.keyOffset(), command.keyLength(),
                    TextStorageCommands.status(status), storage.name().toLowerCase(java.util.Locale.ROOT),
                    expiresAt == 0 ? 0 : expiresAt - store.nowSeconds(), length, request.connectionId);
        }
        byte[] code = switch (status) {
            case STORED -> command.has('q') ? null : MetaReplies.HD;
            case NOT_STORED -> MetaReplies.NS;
            case EXISTS -> MetaReplies.EX;
            case NOT_FOUND -> MetaReplies.NF;
            case TOO_LARGE -> Ascii.TOO_LARGE;
            default -> Ascii.OUT_OF_MEMORY_STORING;
        };
        if (status == WriteResult.TOO_LARGE || status == WriteResult.OUT_OF_MEMORY) {
            out.writeBytes(code);
        } else if (code != null) {
            // memcached 1.6.18 prints c0 when the item was not stored
            writeCodeLine(code, true, status == WriteResult.STORED ? storedItem.cas : 0, false);
        }
        return end;
    }

    // ---- md ----

    private int delete(int next) {
        if (flagsRefused(true)) {
            return next;
        }
        boolean invalidate = command.has('I');
        DeleteResult result = metaOps.delete(command.keyMemory(), command.keyOffset(), command.keyLength(),
                command.has('C'), command.has('C') ? command.number('C') : 0, invalidate, command.has('x'),
                invalidate && command.has('T') ? Exptime.toExpiresAt(command.number('T'), store) : -1,
                command.has('E') ? command.number('E') : 0);
        switch (result) {
            case DELETED -> {
                if (!command.has('q')) {
                    writeCodeLine(MetaReplies.HD, false, 0, false);
                }
            }
            case NOT_FOUND -> writeCodeLine(MetaReplies.NF, false, 0, false);
            case EXISTS -> writeCodeLine(MetaReplies.EX, false, 0, false);
            default -> out.writeBytes(Ascii.OUT_OF_MEMORY);
        }
        return next;
    }

    // ---- ma ----

    private int arithmetic(int next) {
        if (flagsRefused(false)) {
            return next;
        }
        boolean increment;
        switch (command.mode()) {
            case 0, 'I', '+' -> increment = true;
            case 'D', '-' -> increment = false;
            default -> {
                out.writeBytes(MetaReplies.MA_BAD_MODE);
                return next;
            }
        }
        long delta = command.has('D') ? command.number('D') : 1;
        ItemWrite w = write.reset().key(command.keyMemory(), command.keyOffset(), command.keyLength())
                .casUnique(command.has('C') ? command.number('C') : 0)
                .explicitCas(command.has('E') ? command.number('E') : 0);
        if (command.has('N')) {
            // the created item gets no expiry here: N's TTL is applied where N stands (StoredItem)
            w.value(numberMemory, 0, Ascii.putUnsigned(number, 0, command.has('J') ? command.number('J') : 0)).vivify(0);
        }
        MetaItem meta = metaItem.reset();
        storedItem.arithmetic = true;
        ArithmeticResult result = increment ? metaOps.increment(w, delta, meta, storedItem)
                : metaOps.decrement(w, delta, meta, storedItem);
        storedItem.arithmetic = false;
        w.reset();
        switch (result) {
            case UPDATED -> {
                // memcached's quiet mode hides the reply of an update, not of an item created on a miss
                if (!command.has('q') || meta.created()) {
                    writeCodeLine(command.has('v') ? MetaReplies.VA : MetaReplies.HD, true, storedItem.cas, true);
                }
            }
            case NOT_FOUND -> writeCodeLine(MetaReplies.NF, false, 0, false);
            case EXISTS -> writeCodeLine(MetaReplies.EX, false, 0, false);
            case NON_NUMERIC -> out.writeBytes(Ascii.NON_NUMERIC);
            default -> out.writeBytes(Ascii.OUT_OF_MEMORY);
        }
        return next;
    }

    // ---- me ----

    private void debug() {
        if (command.count() < 2 || command.rawKeyLength() > Store.MAX_KEY_LENGTH) {
            out.writeBytes(Ascii.BAD_FORMAT);
            return;
        }
        if (command.count() > 2 && command.memory().get(ValueLayout.JAVA_BYTE, command.base() + command.start(2)) == 'b'
                && !command.decodeKey()) {
            out.writeBytes(Ascii.BAD_FORMAT);
            return;
        }
        storedItem.debug = true;
        boolean found = metaOps.debug(command.keyMemory(), command.keyOffset(), command.keyLength(), metaItem.reset(),
                storedItem);
        storedItem.debug = false;
        if (!found) {
            out.writeBytes(MetaReplies.EN_LINE);
            return;
        }
        long now = store.nowSeconds();
        reply.start(MetaReplies.ME_REPLY);
        reply.key(command.keyMemory(), command.keyOffset(), command.keyLength(), storedItem.keyBinary);
        reply.text(" exp=");
        // memcached 1.6.18 prints the current time minus the exptime: the remaining TTL, negated
        reply.signed(storedItem.expiresAt == 0 ? -1 : now - storedItem.expiresAt);
        reply.text(" la=");
        reply.signed(now - storedItem.lastAccess);
        reply.text(" cas=");
        reply.unsigned(storedItem.cas);
        reply.text(storedItem.fetched ? " fetch=yes" : " fetch=no");
        reply.text(" cls=1 size=");
        reply.unsigned(storedItem.size);
        reply.end();
        reply.writeTo(out);
    }

    // ---- reply lines ----

    /**
     * Writes {@code code} and the return flags ms, md and ma print: k and O always; c with
     * {@code printCas}; with {@code withItem} (an ma success) t and, for VA, the number as the
     * data line.
     */
    private void writeCodeLine(byte[] code, boolean printCas, long cas, boolean withItem) {
        reply.start(code);
        boolean value = code == MetaReplies.VA;
        if (value) {
            reply.unsigned(storedItem.digits);
        }
        for (int t = command.flagsFrom(); t < command.count(); t++) {
            byte flag = command.memory().get(ValueLayout.JAVA_BYTE, command.base() + command.start(t));
            switch (flag) {
                case 'k' -> reply.keyFlag(command.keyMemory(), command.keyOffset(), command.keyLength(), command.keyBinary());
                case 'O' -> reply.opaque(command, t);
                case 'c' -> {
                    if (printCas) {
                        reply.unsignedFlag('c', cas);
                    }
                }
                case 't' -> {
                    if (withItem) {
                        reply.flag('t', storedItem.ttl);
                    }
                }
                default -> {
                }
            }
        }
        reply.end();
        reply.writeTo(out);
        if (value) {
            out.writeBytes(number, 0, storedItem.digits);
            out.writeBytes(Ascii.CRLF);
        }
    }

    /**
     * The checks md and ma make, in memcached 1.6.18's order, before running: too many tokens,
     * a bad or duplicate flag (one error text for both), an opaque over 32 bytes.
     *
     * @param delete whether the command is md (the one that takes flag x)
     * @return true if one failed and its error was written
     */
    private boolean flagsRefused(boolean delete) {
        byte[] error = command.count() >= MetaCommand.MAX_TOKENS ? MetaReplies.TOO_MANY_FLAGS
                : command.parseFlags(2, delete) != null ? MetaReplies.INVALID_OR_DUPLICATE_FLAG
                : opaqueError();
        if (error != null) {
            out.writeBytes(error);
        }
        return error != null;
    }

    private byte[] opaqueError() {
        return command.has('O') && command.length(command.tokenOf('O')) > MetaCommand.MAX_OPAQUE
                ? MetaReplies.OPAQUE_TOO_LONG : null;
    }

    /**
     * Receives the item an ms, ma or me produced or found, under the key's locks: keeps its CAS
     * unique, exptime, last access, fetched state, size and (for me) whether its key is binary;
     * for ma it applies T and N where they
     * stand among the flags, keeps the TTL as of flag t and the digits of the new number (into
     * {@link #number}).
     */
    private final class StoredItem implements ItemReader {
        boolean arithmetic;
        boolean debug;
        long cas;
        long expiresAt;
        long lastAccess;
        boolean fetched;
        boolean keyBinary;
        long size;
        long ttl;
        int digits;

        @Override
        public void read(ItemView item) {
            if (arithmetic) {
                for (int t = command.flagsFrom(); t < command.count(); t++) {
                    switch (command.memory().get(ValueLayout.JAVA_BYTE, command.base() + command.start(t))) {
                        case 'T' -> metaItem.touch(Exptime.toExpiresAt(command.number('T'), metaItem.now()));
                        case 'N' -> metaItem.vivified(Exptime.toExpiresAt(command.number('N'), metaItem.now()));
                        case 't' -> ttl = metaItem.ttl();
                        default -> {
                        }
                    }
                }
            }
            cas = item.casUnique();
            expiresAt = item.expiresAt();
            lastAccess = item.lastAccess();
            fetched = item.isFetched();
            keyBinary = debug && metaItem.isKeyBinary();
            size = ITEM_HEADER + item.keyLength() + item.valueLength();
            MemorySegment memory = item.memory();
            long offset = item.valueOffset();
            int d = 0;
            while (d < item.valueLength() && d < number.length) {
                byte b = memory.get(ValueLayout.JAVA_BYTE, offset + d);
                if (b < '0' || b > '9') {
                    break;
                }
                number[d++] = b;
            }
            digits = d;
        }
    }
}
