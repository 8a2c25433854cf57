package dev.mnemo.protocol;

import dev.mnemo.store.Store;

import io.netty.util.concurrent.FastThreadLocal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * A flyweight over one meta command line (protocol.txt "Meta Commands": mg, ms, md, ma; me and mn
 * need no flags): its key, decoded into a reusable array when flag b is given, and its flags,
 * checked and read as memcached 1.6.18 reads them (proto_text.c, its flag pre-parse).
 *
 * <p>Each flag token is known by its first byte; the bytes after it are its argument. A repeated
 * flag or an unknown one stops the parse at once ("CLIENT_ERROR duplicate flag", "CLIENT_ERROR
 * invalid flag"); a bad argument is noted and the parse goes on, the last error noted winning
 * (a bad F argument notes "CLIENT_ERROR bad command line format"). Besides 1.6.18's flags, E
 * (explicit CAS) and x (md: drop the value) of later memcached releases are read.
 *
 * <p>Allocates nothing after a thread's first command. Not thread-safe: one per connection,
 * reused for every request; its arrays are the thread's ({@link #begin}).
 */
final class MetaCommand {

    /** Tokens at or beyond which memcached refuses the line: "options flags (are) too long". */
    static final int MAX_TOKENS = 20;
    /** The longest opaque token, its 'O' included. */
    static final int MAX_OPAQUE = 32;

    private final CommandLine line;
    /**
     * The arrays a command is read into, the thread's: a command is read and executed within one
     * call on one event loop, so an idle connection holds none of them.
     */
    private static final FastThreadLocal<Scratch> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected Scratch initialValue() {
            return new Scratch();
        }
    };

    private byte[] decodedKey;
    private MemorySegment decodedKeyMemory;
    /** Token index of each flag letter present (by its byte value), -1 if absent. */
    private byte[] flagToken;
    private int flagsFrom;
    private MemorySegment memory;
    private long base;
    private int keyLength;
    private boolean keyBinary;
    private byte mode;

    MetaCommand(CommandLine line) {
        this.line = line;
    }

    /**
     * Starts on the line {@link CommandLine} has just split into tokens (whose token limit is
     * {@link #MAX_TOKENS}). Call first, then {@link #count()} and {@link #rawKeyLength()} for the
     * checks memcached makes before the flags, then {@link #parseFlags}.
     *
     * @param memory the inbound buffer's memory, viewing the line and any data block after it
     * @param base   the offset of the buffer's index 0 in {@code memory}
     */
    void begin(MemorySegment memory, long base) {
        Scratch scratch = SCRATCH.get();
        decodedKey = scratch.decodedKey;
        decodedKeyMemory = scratch.decodedKeyMemory;
        flagToken = scratch.flagToken;
        this.memory = memory;
        this.base = base;
        keyLength = line.count() > 1 ? line.length(1) : 0;
        keyBinary = false;
    }

    /** @return the tokens on the line, the command's included (may exceed {@link #MAX_TOKENS}) */
    int count() {
        return line.count();
    }

    /** @return the key token's length as sent (before any base64 decoding) */
    int rawKeyLength() {
        return line.length(1);
    }

    /**
     * Reads the flags from token {@code from} on (2 for mg, md and ma; 3 for ms, after the data
     * length). Needs at least two tokens and fewer than {@link #MAX_TOKENS}. memcached 1.6.18
     * takes any letter on any meta command; flag x (md: keep the item with an empty value, from
     * later releases) is refused on the others as every memcached release refuses it there.
     *
     * @param delete whether the command is md, the only one that takes flag x
     * @return null if they are valid, otherwise memcached's error line for them
     */
    byte[] parseFlags(int from, boolean delete) {
        Arrays.fill(flagToken, (byte) -1);
        flagsFrom = from;
        mode = 0;
        byte[] error = null;
        for (int t = from; t < line.count(); t++) {
            int o = byteAt(line.start(t)) & 0xFF;
            if (o >= 127 || flagToken[o] >= 0) {
                return MetaReplies.DUPLICATE_FLAG;
            }
            flagToken[o] = (byte) t;
            int argStart = line.start(t) + 1;
            int argEnd = line.start(t) + line.length(t);
            switch (o) {
                case 'b' -> {
                    if (!decodeKey()) {
                        error = MetaReplies.DECODE_ERROR;
                    }
                }
                case 'N', 'T', 'R' -> {
                    if (!line.parseInt32(argStart, argEnd)) {
                        error = MetaReplies.BAD_TOKEN;
                    }
                }
                case 'C', 'E' -> {
                    if (!line.parseUnsigned(argStart, argEnd)) {
                        error = MetaReplies.BAD_TOKEN;
                    }
                }
                case 'F' -> {
                    if (!line.parseUnsigned(argStart, argEnd)) {
                        error = error == null ? Ascii.BAD_FORMAT : error;
                    }
                }
                case 'M' -> {
                    if (line.length(t) != 2) {
                        error = MetaReplies.M_LENGTH;
                    } else {
                        mode = byteAt(argStart);
                    }
                }
                case 'J' -> {
                    if (!line.parseUnsigned(argStart, argEnd)) {
                        error = MetaReplies.BAD_INITIAL;
                    }
                }
                case 'D' -> {
                    if (!line.parseUnsigned(argStart, argEnd)) {
                        error = MetaReplies.BAD_DELTA;
                    }
                }
                case 'x' -> {
                    if (!delete) {
                        return MetaReplies.INVALID_FLAG;
                    }
                }
                case 'c', 'f', 'h', 'k', 'l', 'q', 's', 't', 'u', 'v', 'I', 'L', 'O', 'P' -> {
                }
                default -> {
                    return MetaReplies.INVALID_FLAG;
                }
            }
        }
        return error;
    }

    /**
     * Decodes the key token as base64 (flag b) into the reusable key array.
     *
     * @return false if it does not decode (the key is then empty)
     */
    boolean decodeKey() {
        keyBinary = true;
        keyLength = Base64Key.decode(memory, base + line.start(1), line.length(1), decodedKey);
        return keyLength > 0;
    }

    /** @return whether flag {@code flag} is on the line (after {@link #parseFlags}) */
    boolean has(char flag) {
        return flagToken[flag] >= 0;
    }

    /** @return the token index of flag {@code flag}, which must be present */
    int tokenOf(char flag) {
        return flagToken[flag];
    }

    /** @return the first flag token's index */
    int flagsFrom() {
        return flagsFrom;
    }

    /** @return the value of a numeric flag present on the line (signed for N, T, R; unsigned for the others) */
    long number(char flag) {
        int t = flagToken[flag];
        int start = line.start(t) + 1;
        int end = line.start(t) + line.length(t);
        boolean parsed = flag == 'N' || flag == 'T' || flag == 'R' ? line.parseInt32(start, end) : line.parseUnsigned(start, end);
        if (!parsed) {
            throw new IllegalStateException("flag " + flag + " was not checked");
        }
        return line.number();
    }

    /** @return the mode byte of flag M, 0 if absent */
    byte mode() {
        return mode;
    }

    /** @return buffer index of token {@code t}'s first byte */
    int start(int t) {
        return line.start(t);
    }

    /** @return length of token {@code t} */
    int length(int t) {
        return line.length(t);
    }

    /** @return the memory the key is in: the decoded array with flag b, else the line's memory */
    MemorySegment keyMemory() {
        return keyBinary ? decodedKeyMemory : memory;
    }

    /** @return the key's offset in {@link #keyMemory()} */
    long keyOffset() {
        return keyBinary ? 0 : base + line.start(1);
    }

    /** @return the key's length in bytes (decoded with flag b) */
    int keyLength() {
        return keyLength;
    }

    /** @return whether the key came base64-encoded (flag b) */
    boolean keyBinary() {
        return keyBinary;
    }

    /** @return the line's memory (the inbound buffer's) */
    MemorySegment memory() {
        return memory;
    }

    /** @return the offset of buffer index 0 in {@link #memory()} */
    long base() {
        return base;
    }

    private byte byteAt(int index) {
        return memory.get(ValueLayout.JAVA_BYTE, base + index);
    }

    /** A thread's arrays for the command it is reading. */
    private static final class Scratch {
        final byte[] decodedKey = new byte[Store.MAX_KEY_LENGTH];
        final MemorySegment decodedKeyMemory = MemorySegment.ofArray(decodedKey);
        final byte[] flagToken = new byte[128];
    }
}
