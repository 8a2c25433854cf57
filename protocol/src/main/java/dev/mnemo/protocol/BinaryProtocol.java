package dev.mnemo.protocol;

import dev.mnemo.store.ArithmeticResult;
import dev.mnemo.store.ItemWrite;
import dev.mnemo.store.Store;
import dev.mnemo.store.WriteResult;
import io.netty.buffer.ByteBuf;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * memcached's binary protocol for one connection ("BinaryProtocolRevamped"; protocol_binary.h
 * of memcached 1.6): parses requests out of the connection's inbound bytes, executes them on
 * the store and appends the responses to the outbound buffer, one request per
 * {@link #process} call, as {@link TextProtocol} does. Not thread-safe: one instance per
 * connection, used by its event loop only.
 *
 * <p>Responses are those of memcached 1.6.18 (compared byte for byte, CAS masked): opaque
 * echoed; the item's CAS unique on hits and successful stores; quiet variants send nothing on
 * success and GETQ/GETKQ/GATQ/GATKQ nothing on a miss, while errors are always sent; error
 * bodies are memcached's texts ({@link BinaryStatus}). A request whose length fields do not
 * fit its opcode, or with a key over {@value Store#MAX_KEY_LENGTH} bytes, is answered EINVAL
 * and the connection closed; key + extras longer than the body is answered UNKNOWN_COMMAND
 * and closed; a bad magic byte closes the connection without a reply; an unknown opcode is
 * answered UNKNOWN_COMMAND and its body skipped (or, for a body of 2^31 bytes or more, the
 * connection closed). A value over {@link Settings#maxItemSize()}
 * is answered E2BIG as soon as its key has arrived and its bytes discarded as they arrive
 * ({@link InputDiscard}), never buffered; a failed SET also removes the key's old item, and any
 * CAS unique turns SET, ADD and REPLACE into a cas, as in memcached ({@link StorageSemantics}).
 *
 * <p>Authentication (memcached -S): when the server has an {@link AuthFile}, every opcode but
 * the SASL ones and VERSION is answered AUTH_ERROR and the connection closed until the client
 * has authenticated with SASL PLAIN ({@link SaslPlain}); without one, the SASL opcodes are
 * answered UNKNOWN_COMMAND, as memcached without -S does.
 *
 * <p>Differences from memcached 1.6.18: VERBOSITY is executed as the spec describes (1.6.18
 * answers it UNKNOWN_COMMAND). A request's CAS unique is checked by the store atomically with
 * the command, and the CAS unique a response carries is the one the store gave the item it
 * wrote (no second lookup, so no get is counted).
 *
 * <p>Keys and values go to the store as views of the inbound buffer; a get hit copies the
 * value once into the outbound buffer and allocates nothing.
 */
public final class BinaryProtocol implements Protocol {

    /** The version VERSION reports: the memcached release this protocol reproduces. */
    static final byte[] VERSION = TextProtocol.VERSION.getBytes(StandardCharsets.US_ASCII);

    private static final byte[] SASL_MECHANISMS = SaslPlain.NAME.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AUTHENTICATED = "Authenticated".getBytes(StandardCharsets.US_ASCII);

    /** INCREMENT/DECREMENT expiration meaning "fail if the item is missing". */
    private static final long NO_CREATE = 0xFFFF_FFFFL;

    private final Store store;
    private final StorageSemantics semantics;
    private final ServerContext server;
    private final WatchLog watchLog;
    private final int connectionId;
    private final BinaryHeader header = new BinaryHeader();
    private final BufferMemory inMemory = new BufferMemory();
    private final BinaryValueReply valueReply = new BinaryValueReply();
    private final BinaryItemProbe probe = new BinaryItemProbe();
    private final BinaryStats stats;
    /** The credentials clients must present (SASL PLAIN), or null when authentication is off. */
    private final AuthFile auth;
    private boolean authenticated;
    private final byte[] digits = new byte[20];
    private final MemorySegment digitsMemory = MemorySegment.ofArray(digits);
    private final InputDiscard discard = new InputDiscard();
    private final ItemWrite write = new ItemWrite();
    private final KeyPrefixStats.Recorder prefixStats;
    /** {@link #awaitedRequestBytes()}: set when a storage request's body has not all arrived, 0 otherwise. */
    private int awaitedRequestBytes;

    /**
     * @param store        the store requests execute on
     * @param server       the server this connection belongs to
     * @param connectionId the connection's number (1 or more; "watch" lines' cfd), or
     *                     {@link Protocol#NO_CONNECTION} for UDP datagrams
     */
    public BinaryProtocol(Store store, ServerContext server, int connectionId) {
        this.connectionId = connectionId;
        this.watchLog = server.watchLog();
        this.store = store;
        this.semantics = new StorageSemantics(store);
        this.server = server;
        this.stats = new BinaryStats(store, server);
        this.prefixStats = server.prefixStats().recorder();
        this.auth = server.authFile();
    }

    @Override
    public Outcome process(ByteBuf in, ByteBuf out) {
        awaitedRequestBytes = 0;
        Outcome discarding = discard.before(in);
        if (discarding != null) {
            return discarding;
        }
        int start = in.readerIndex();
        if (in.readableBytes() < BinaryHeader.LENGTH) {
            return Outcome.NEED_MORE_INPUT;
        }
        BinaryHeader h = header;
        h.read(in, start);
        if (h.magic != BinaryHeader.REQUEST_MAGIC) {
            return close(in);
        }
        if ((long) h.keyLength + h.extrasLength > h.bodyLength) {
            return fail(in, out, BinaryStatus.UNKNOWN_COMMAND);
        }
        if (h.keyLength > Store.MAX_KEY_LENGTH) {
            return fail(in, out, BinaryStatus.EINVAL);
        }
        if (auth != null && !authenticated && !allowedBeforeAuthentication(h.opcode)) {
            return fail(in, out, BinaryStatus.AUTH_ERROR);
        }
        return switch (h.opcode) {
            case BinaryOpcode.SASL_LIST_MECHS -> auth == null ? unknown(in, out)
                    : emptyBody() ? listMechanisms(in, out) : fail(in, out, BinaryStatus.EINVAL);
            case BinaryOpcode.SASL_AUTH, BinaryOpcode.SASL_STEP -> auth == null ? unknown(in, out)
                    : h.extrasLength == 0 && h.keyLength > 0 && h.bodyLength - h.keyLength <= SaslPlain.MAX_MESSAGE
                            ? saslAuth(in, out) : fail(in, out, BinaryStatus.EINVAL);
            case BinaryOpcode.GET, BinaryOpcode.GETQ, BinaryOpcode.GETK, BinaryOpcode.GETKQ ->
                    h.extrasLength == 0 && h.keyLength > 0 && h.bodyLength == h.keyLength
                            ? get(in, out, false) : fail(in, out, BinaryStatus.EINVAL);
            case BinaryOpcode.GAT, BinaryOpcode.GATQ, BinaryOpcode.GATK, BinaryOpcode.GATKQ, BinaryOpcode.TOUCH ->
                    h.extrasLength == 4 && h.keyLength > 0 && h.bodyLength == h.keyLength + 4L
                            ? get(in, out, true) : fail(in, out, BinaryStatus.EINVAL);
            case BinaryOpcode.SET, BinaryOpcode.SETQ, BinaryOpcode.ADD, BinaryOpcode.ADDQ,
                 BinaryOpcode.REPLACE, BinaryOpcode.REPLACEQ ->
                    h.extrasLength == 8 && h.keyLength > 0
                            ? update(in, out) : fail(in, out, BinaryStatus.EINVAL);
            case BinaryOpcode.APPEND, BinaryOpcode.APPENDQ, BinaryOpcode.PREPEND, BinaryOpcode.PREPENDQ ->
                    h.extrasLength == 0 && h.keyLength > 0
                            ? update(in, out) : fail(in, out, BinaryStatus.EINVAL);
            case BinaryOpcode.DELETE, BinaryOpcode.DELETEQ ->
                    h.extrasLength == 0 && h.keyLength > 0 && h.bodyLength == h.keyLength
                            ? delete(in, out) : fail(in, out, BinaryStatus.EINVAL);
            case BinaryOpcode.INCREMENT, BinaryOpcode.INCREMENTQ, BinaryOpcode.DECREMENT, BinaryOpcode.DECREMENTQ ->
                    h.extrasLength == 20 && h.keyLength > 0 && h.bodyLength == h.keyLength + 20L
                            ? incrDecr(in, out) : fail(in, out, BinaryStatus.EINVAL);
            case BinaryOpcode.NOOP -> emptyBody() ? respond(in, out, BinaryHeader.LENGTH) : fail(in, out, BinaryStatus.EINVAL);
            case BinaryOpcode.VERSION -> emptyBody() ? version(in, out) : fail(in, out, BinaryStatus.EINVAL);
            case BinaryOpcode.QUIT, BinaryOpcode.QUITQ -> emptyBody() ? quit(in, out) : fail(in, out, BinaryStatus.EINVAL);
            case BinaryOpcode.FLUSH, BinaryOpcode.FLUSHQ ->
                    h.keyLength == 0 && h.bodyLength == h.extrasLength && (h.extrasLength == 0 || h.extrasLength == 4)
                            ? flush(in, out) : fail(in, out, BinaryStatus.EINVAL);
            case BinaryOpcode.VERBOSITY ->
                    h.keyLength == 0 && h.extrasLength == 4 && h.bodyLength == 4
                            ? verbosity(in, out) : fail(in, out, BinaryStatus.EINVAL);
            case BinaryOpcode.STAT -> h.extrasLength == 0 && h.bodyLength == h.keyLength
                    ? stat(in, out) : fail(in, out, BinaryStatus.EINVAL);
            default -> unknown(in, out);
        };
    }

    /** Forgets a value still to discard and a close (protocol.txt "UDP protocol": a datagram stands alone). */
    @Override
    public void reset() {
        discard.reset();
    }

    @Override
    public int awaitedRequestBytes() {
        return awaitedRequestBytes;
    }

    /** memcached's authenticated(): the SASL opcodes and VERSION need no authentication. */
    private static boolean allowedBeforeAuthentication(int opcode) {
        return opcode == BinaryOpcode.SASL_LIST_MECHS || opcode == BinaryOpcode.SASL_AUTH
                || opcode == BinaryOpcode.SASL_STEP || opcode == BinaryOpcode.VERSION;
    }

    /** SASL_LIST_MECHS: the mechanisms offered, space-separated ("BinaryProtocolRevamped", "SASL"). */
    private Outcome listMechanisms(ByteBuf in, ByteBuf out) {
        header.writeResponse(out, 0, 0, BinaryStatus.SUCCESS, SASL_MECHANISMS.length, 0);
        out.writeBytes(SASL_MECHANISMS);
        return consume(in, in.readerIndex() + BinaryHeader.LENGTH);
    }

    /**
     * SASL_AUTH (key: the mechanism; value: its first message) and SASL_STEP. PLAIN completes
     * in one message, so a SASL_STEP, another mechanism or wrong credentials are AUTH_ERROR;
     * the connection stays open for another attempt.
     */
    private Outcome saslAuth(ByteBuf in, ByteBuf out) {
        BinaryHeader h = header;
        int start = in.readerIndex();
        int length = BinaryHeader.LENGTH + (int) h.bodyLength;
        if (in.readableBytes() < length) {
            return Outcome.NEED_MORE_INPUT;
        }
        int keyIndex = start + BinaryHeader.LENGTH;
        boolean plain = h.opcode == BinaryOpcode.SASL_AUTH && h.keyLength == SASL_MECHANISMS.length
                && in.toString(keyIndex, h.keyLength, StandardCharsets.US_ASCII).equals(SaslPlain.NAME);
        if (plain && SaslPlain.authenticate(auth, in, keyIndex + h.keyLength, (int) h.bodyLength - h.keyLength)) {
            authenticated = true;
            header.writeResponse(out, 0, 0, BinaryStatus.SUCCESS, AUTHENTICATED.length, 0);
            out.writeBytes(AUTHENTICATED);
        } else {
            if (!plain) {
                auth.countFailure();
            }
            writeError(out, BinaryStatus.AUTH_ERROR);
        }
        return consume(in, start + length);
    }

    private boolean emptyBody() {
        return header.keyLength == 0 && header.extrasLength == 0 && header.bodyLength == 0;
    }

    /** GET, GETQ, GETK, GETKQ; with {@code touch}: GAT, GATQ, GATK, GATKQ, TOUCH. */
    private Outcome get(ByteBuf in, ByteBuf out, boolean touch) {
        BinaryHeader h = header;
        int length = BinaryHeader.LENGTH + (int) h.bodyLength;
        if (in.readableBytes() < length) {
            return Outcome.NEED_MORE_INPUT;
        }
        int start = in.readerIndex();
        int keyIndex = start + BinaryHeader.LENGTH + h.extrasLength;
        MemorySegment memory = inMemory.view(in, start, length);
        long keyOffset = inMemory.base() + BinaryHeader.LENGTH + h.extrasLength;
        boolean withKey = h.opcode == BinaryOpcode.GETK || h.opcode == BinaryOpcode.GETKQ
                || h.opcode == BinaryOpcode.GATK || h.opcode == BinaryOpcode.GATKQ;
        valueReply.prepare(h, out, withKey ? memory : null, keyOffset, h.keyLength, h.opcode != BinaryOpcode.TOUCH);
        boolean hit = touch
                ? store.getAndTouch(memory, keyOffset, h.keyLength,
                        Exptime.toExpiresAt(in.getUnsignedInt(start + BinaryHeader.LENGTH), store), valueReply)
                : store.get(memory, keyOffset, h.keyLength, valueReply);
        prefixStats.get(memory, keyOffset, h.keyLength, hit);
        if (watchLog.watching(WatchLog.FETCHERS)) {
            watchLog.fetched(memory, keyOffset, h.keyLength, hit, valueReply.lastValueLength(), connectionId);
        }
        if (!hit && !BinaryOpcode.isQuiet(h.opcode)) {
            if (withKey) {
                h.writeResponse(out, h.keyLength, 0, BinaryStatus.KEY_ENOENT, h.keyLength, 0);
                out.writeBytes(in, keyIndex, h.keyLength);
            } else {
                writeError(out, BinaryStatus.KEY_ENOENT);
            }
        }
        return consume(in, start + length);
    }

    /** SET, ADD, REPLACE, APPEND, PREPEND and their quiet variants. */
    private Outcome update(ByteBuf in, ByteBuf out) {
        BinaryHeader h = header;
        int start = in.readerIndex();
        int keyEnd = BinaryHeader.LENGTH + h.extrasLength + h.keyLength;
        if (in.readableBytes() < keyEnd) {
            return Outcome.NEED_MORE_INPUT;
        }
        long valueLength = h.bodyLength - h.extrasLength - h.keyLength;
        int op = h.opcode;
        boolean set = op == BinaryOpcode.SET || op == BinaryOpcode.SETQ;
        if (valueLength > server.settings().maxItemSize()) {
            MemorySegment memory = inMemory.view(in, start, keyEnd);
            prefixStats.set(memory, inMemory.base() + keyEnd - h.keyLength, h.keyLength);
            if (set) {
                semantics.dropOldItem(memory, inMemory.base() + keyEnd - h.keyLength, h.keyLength);
            }
            writeError(out, BinaryStatus.E2BIG);
            in.readerIndex(start + keyEnd);
            discard.discard(valueLength);
            return Outcome.HANDLED;
        }
        int length = keyEnd + (int) valueLength;
        if (in.readableBytes() < length) {
            awaitedRequestBytes = length;
            return Outcome.NEED_MORE_INPUT;
        }
        MemorySegment memory = inMemory.view(in, start, length);
        long base = inMemory.base();
        long keyOffset = base + keyEnd - h.keyLength;
        int clientFlags = h.extrasLength == 8 ? in.getInt(start + BinaryHeader.LENGTH) : 0;
        long exptime = h.extrasLength == 8 ? in.getUnsignedInt(start + BinaryHeader.LENGTH + 4) : 0;
        StorageCommand command = switch (op) {
            case BinaryOpcode.SET, BinaryOpcode.SETQ -> StorageCommand.SET;
            case BinaryOpcode.ADD, BinaryOpcode.ADDQ -> StorageCommand.ADD;
            case BinaryOpcode.REPLACE, BinaryOpcode.REPLACEQ -> StorageCommand.REPLACE;
            case BinaryOpcode.APPEND, BinaryOpcode.APPENDQ -> StorageCommand.APPEND;
            default -> StorageCommand.PREPEND;
        };
        boolean concat = command.combines();
        prefixStats.set(memory, keyOffset, h.keyLength);
        if (h.casUnique != 0) {
            command = StorageSemantics.withCasUnique(command, true);
        }
        probe.reset();
        ItemWrite w = write.reset().key(memory, keyOffset, h.keyLength).value(memory, keyOffset + h.keyLength, (int) valueLength)
                .clientFlags(clientFlags).expiresAt(Exptime.toExpiresAt(exptime, store)).casUnique(h.casUnique)
                .onStored(BinaryOpcode.isQuiet(op) ? null : probe);
        WriteResult result = semantics.store(command, w);
        w.reset();
        if (watchLog.watching(WatchLog.MUTATIONS)) {
            long expiresAt = Exptime.toExpiresAt(exptime, store);
            watchLog.stored(memory, keyOffset, h.keyLength, TextStorageCommands.status(result),
                    command.name().toLowerCase(java.util.Locale.ROOT), expiresAt == 0 ? 0 : expiresAt - store.nowSeconds(),
                    (int) valueLength, connectionId);
        }
        if (set && command == StorageCommand.CAS) {
            // memcached drops by opcode: a SET that a CAS unique made a cas drops the old item too
            semantics.dropOldItemIfFailed(result, memory, keyOffset, h.keyLength);
        }
        int code = switch (result) {
            case STORED -> BinaryStatus.SUCCESS;
            case NOT_STORED -> command == StorageCommand.ADD ? BinaryStatus.KEY_EEXISTS
                    : concat ? BinaryStatus.NOT_STORED : BinaryStatus.KEY_ENOENT;
            case EXISTS -> BinaryStatus.KEY_EEXISTS;
            case NOT_FOUND -> BinaryStatus.KEY_ENOENT;
            case TOO_LARGE -> BinaryStatus.E2BIG;
            default -> BinaryStatus.ENOMEM;
        };
        if (code == BinaryStatus.SUCCESS) {
            if (!BinaryOpcode.isQuiet(op)) {
                h.writeResponse(out, 0, 0, BinaryStatus.SUCCESS, 0, probe.casUnique);
            }
        } else {
            writeError(out, code);
        }
        return consume(in, start + length);
    }

    /** DELETE, DELETEQ; with a CAS unique, only if the item's matches. */
    private Outcome delete(ByteBuf in, ByteBuf out) {
        BinaryHeader h = header;
        int start = in.readerIndex();
        int length = BinaryHeader.LENGTH + h.keyLength;
        if (in.readableBytes() < length) {
            return Outcome.NEED_MORE_INPUT;
        }
        MemorySegment memory = inMemory.view(in, start, length);
        long keyOffset = inMemory.base() + BinaryHeader.LENGTH;
        prefixStats.delete(memory, keyOffset, h.keyLength);
        int code = switch (store.delete(memory, keyOffset, h.keyLength, h.casUnique)) {
            case DELETED -> BinaryStatus.SUCCESS;
            case EXISTS -> BinaryStatus.KEY_EEXISTS;
            default -> BinaryStatus.KEY_ENOENT;
        };
        if (code != BinaryStatus.SUCCESS) {
            writeError(out, code);
        } else if (!BinaryOpcode.isQuiet(h.opcode)) {
            h.writeResponse(out, 0, 0, BinaryStatus.SUCCESS, 0, 0);
        }
        return consume(in, start + length);
    }

    /**
     * INCREMENT, DECREMENT and their quiet variants: extras are the delta, the initial value
     * and the expiration (0xffffffff: fail if the item is missing; otherwise the store creates a
     * missing item holding the initial value, whatever the request's CAS unique, as memcached does).
     */
    private Outcome incrDecr(ByteBuf in, ByteBuf out) {
        BinaryHeader h = header;
        int start = in.readerIndex();
        int length = BinaryHeader.LENGTH + 20 + h.keyLength;
        if (in.readableBytes() < length) {
            return Outcome.NEED_MORE_INPUT;
        }
        int extras = start + BinaryHeader.LENGTH;
        long delta = in.getLong(extras);
        long initial = in.getLong(extras + 8);
        long exptime = in.getUnsignedInt(extras + 16);
        boolean increment = h.opcode == BinaryOpcode.INCREMENT || h.opcode == BinaryOpcode.INCREMENTQ;
        MemorySegment memory = inMemory.view(in, start, length);
        long keyOffset = inMemory.base() + BinaryHeader.LENGTH + 20;
        int n = Ascii.putUnsigned(digits, 0, initial);
        probe.reset();
        ItemWrite w = write.reset().key(memory, keyOffset, h.keyLength).casUnique(h.casUnique).onStored(probe);
        if (exptime != NO_CREATE) {
            w.value(digitsMemory, 0, n).vivify(Exptime.toExpiresAt(exptime, store));
        }
        ArithmeticResult result = increment ? store.increment(w, delta) : store.decrement(w, delta);
        w.reset();
        int code = switch (result) {
            case UPDATED -> BinaryStatus.SUCCESS;
            case EXISTS -> BinaryStatus.KEY_EEXISTS;
            case NOT_FOUND -> BinaryStatus.KEY_ENOENT;
            case NON_NUMERIC -> BinaryStatus.DELTA_BADVAL;
            case TOO_LARGE -> BinaryStatus.E2BIG;
            default -> BinaryStatus.ENOMEM;
        };
        if (code != BinaryStatus.SUCCESS) {
            writeError(out, code);
        } else if (!BinaryOpcode.isQuiet(h.opcode)) {
            h.writeResponse(out, 0, 0, BinaryStatus.SUCCESS, 8, probe.casUnique);
            out.writeLong(probe.number);
        }
        return consume(in, start + length);
    }

    private Outcome flush(ByteBuf in, ByteBuf out) {
        int start = in.readerIndex();
        int length = BinaryHeader.LENGTH + header.extrasLength;
        if (in.readableBytes() < length) {
            return Outcome.NEED_MORE_INPUT;
        }
        long exptime = header.extrasLength == 4 ? in.getUnsignedInt(start + BinaryHeader.LENGTH) : 0;
        store.flushAll(exptime <= 0 ? 0 : Exptime.toExpiresAt(exptime, store));
        if (header.opcode == BinaryOpcode.FLUSH) {
            header.writeResponse(out, 0, 0, BinaryStatus.SUCCESS, 0, 0);
        }
        return consume(in, start + length);
    }

    private Outcome verbosity(ByteBuf in, ByteBuf out) {
        int start = in.readerIndex();
        int length = BinaryHeader.LENGTH + 4;
        if (in.readableBytes() < length) {
            return Outcome.NEED_MORE_INPUT;
        }
        long level = in.getUnsignedInt(start + BinaryHeader.LENGTH);
        server.setVerbosity((int) Math.min(level, 2));
        return respond(in, out, length);
    }

    private Outcome stat(ByteBuf in, ByteBuf out) {
        int start = in.readerIndex();
        int length = BinaryHeader.LENGTH + header.keyLength;
        if (in.readableBytes() < length) {
            return Outcome.NEED_MORE_INPUT;
        }
        stats.write(header, in, start + BinaryHeader.LENGTH, out);
        return consume(in, start + length);
    }

    private Outcome version(ByteBuf in, ByteBuf out) {
        header.writeResponse(out, 0, 0, BinaryStatus.SUCCESS, VERSION.length, 0);
        out.writeBytes(VERSION);
        return consume(in, in.readerIndex() + BinaryHeader.LENGTH);
    }

    private Outcome quit(ByteBuf in, ByteBuf out) {
        if (header.opcode == BinaryOpcode.QUIT) {
            header.writeResponse(out, 0, 0, BinaryStatus.SUCCESS, 0, 0);
        }
        return close(in);
    }

    /**
     * An opcode memcached does not implement: UNKNOWN_COMMAND, then skip the body — or close, for
     * a body of 2^31 bytes or more: memcached 1.6.18 holds the length to skip in an int, so it
     * skips nothing and reads the body as the next requests (which closes the connection at the
     * first bad magic byte); closing at once is that without reading the body as requests.
     */
    private Outcome unknown(ByteBuf in, ByteBuf out) {
        if (header.bodyLength > Integer.MAX_VALUE) {
            return fail(in, out, BinaryStatus.UNKNOWN_COMMAND);
        }
        writeError(out, BinaryStatus.UNKNOWN_COMMAND);
        in.skipBytes(BinaryHeader.LENGTH);
        discard.discard(header.bodyLength);
        return Outcome.HANDLED;
    }

    /** A success response with no body, and consumes {@code length} bytes. */
    private Outcome respond(ByteBuf in, ByteBuf out, int length) {
        header.writeResponse(out, 0, 0, BinaryStatus.SUCCESS, 0, 0);
        return consume(in, in.readerIndex() + length);
    }

    /** A protocol error: the error response, then close (memcached's handle_binary_protocol_error). */
    private Outcome fail(ByteBuf in, ByteBuf out, int status) {
        writeError(out, status);
        return close(in);
    }

    private void writeError(ByteBuf out, int status) {
        byte[] body = BinaryStatus.text(status);
        header.writeResponse(out, 0, 0, status, body.length, 0);
        out.writeBytes(body);
    }

    private static Outcome consume(ByteBuf in, int next) {
        in.readerIndex(next);
        return Outcome.HANDLED;
    }

    private Outcome close(ByteBuf in) {
        return discard.close(in);
    }
}
