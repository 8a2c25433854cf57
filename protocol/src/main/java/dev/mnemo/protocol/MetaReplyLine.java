package dev.mnemo.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One meta-protocol reply line (protocol.txt "Meta Commands"), composed in a reusable array:
 * the code ({@code HD}, {@code VA <size>}, {@code ME <key>} …), then return flags, each a space,
 * its letter and its value, then "\r\n"; written to the outbound buffer with one call.
 * Allocates nothing after a thread's first line. Not thread-safe: one per connection; the array
 * the line is composed in is the thread's ({@link #start} to {@link #writeTo} runs within one
 * request on one event loop), so an idle connection holds none of its {@value #MAX_LENGTH} bytes.
 */
final class MetaReplyLine {

    /** Room for one line: at most {@link MetaCommand#MAX_TOKENS} flags, of which a (base64) key is the longest. */
    private static final int MAX_LENGTH = 16 + MetaCommand.MAX_TOKENS * 24 + 2 * 340;

    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[MAX_LENGTH];
        }
    };

    private byte[] bytes;
    private int length;

    /** Starts a new line with {@code code}. */
    void start(byte[] code) {
        bytes = SCRATCH.get();
        length = 0;
        append(code);
    }

    /** @return the line's length so far, in bytes */
    int length() {
        return length;
    }

    void append(byte[] ascii) {
        System.arraycopy(ascii, 0, bytes, length, ascii.length);
        length += ascii.length;
    }

    void text(String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            bytes[length + i] = (byte) ascii.charAt(i);
        }
        length += ascii.length();
    }

    /** Appends the decimal digits of {@code value} read as unsigned 64 bits. */
    void unsigned(long value) {
        length = Ascii.putUnsigned(bytes, length, value);
    }

    /** Appends {@code value} in decimal, with a '-' when negative. */
    void signed(long value) {
        if (value < 0) {
            bytes[length++] = '-';
            unsigned(-value);
        } else {
            unsigned(value);
        }
    }

    /** Appends a space and {@code letter}: a flag without value (W, X, Z, b). */
    void letter(char letter) {
        bytes[length] = ' ';
        bytes[length + 1] = (byte) letter;
        length += 2;
    }

    /** Appends a space, {@code letter} and {@code value} (signed). */
    void flag(char letter, long value) {
        letter(letter);
        signed(value);
    }

    /** Appends a space, {@code letter} and {@code value} read as unsigned (a CAS unique). */
    void unsignedFlag(char letter, long value) {
        letter(letter);
        unsigned(value);
    }

    /** Appends a space and the opaque token {@code token} of {@code command} as the client sent it, its 'O' included. */
    void opaque(MetaCommand command, int token) {
        bytes[length++] = ' ';
        int n = command.length(token);
        MemorySegment.copy(command.memory(), ValueLayout.JAVA_BYTE, command.base() + command.start(token), bytes, length, n);
        length += n;
    }

    /** Appends " k" and the key; base64 and " b" after it when {@code binary}. */
    void keyFlag(MemorySegment memory, long offset, int keyLength, boolean binary) {
        letter('k');
        key(memory, offset, keyLength, binary);
        if (binary) {
            letter('b');
        }
    }

    /** Appends the key, base64-encoded when {@code binary}. */
    void key(MemorySegment memory, long offset, int keyLength, boolean binary) {
        if (binary) {
            length = Base64Key.encode(memory, offset, keyLength, bytes, length);
        } else {
            MemorySegment.copy(memory, ValueLayout.JAVA_BYTE, offset, bytes, length, keyLength);
            length += keyLength;
        }
    }

    /** Ends the line with "\r\n". */
    void end() {
        bytes[length++] = '\r';
        bytes[length++] = '\n';
    }

    /** Writes the line to {@code out}. */
    void writeTo(ByteBuf out) {
        out.writeBytes(bytes, 0, length);
    }
}
