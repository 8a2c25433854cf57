package dev.mnemo.protocol;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Base64 for meta-protocol keys (protocol.txt "Meta Get", flag b), decoding and encoding between
 * memory and a caller's array with no allocation (java.util.Base64 allocates per call).
 *
 * <p>Decoding accepts what memcached 1.6 accepts: bytes outside the alphabet are skipped, the
 * remaining ones (padding included) must come in groups of four, and the first group holding
 * padding ends the input; one or two padding bytes drop one or two output bytes, more is an
 * error. Stateless and thread-safe.
 */
final class Base64Key {

    private static final byte[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".getBytes(StandardCharsets.US_ASCII);
    private static final int INVALID = -1;
    private static final int PAD = -2;
    private static final int[] DECODE = new int[256];

    static {
        Arrays.fill(DECODE, INVALID);
        for (int i = 0; i < ALPHABET.length; i++) {
            DECODE[ALPHABET[i]] = i;
        }
        DECODE['='] = PAD;
    }

    private Base64Key() {
    }

    /**
     * Decodes {@code length} bytes of {@code source} from {@code offset} into {@code target}.
     *
     * @param target receives the bytes; at least {@code length * 3 / 4} long
     * @return the number of bytes decoded, 0 if the input does not decode
     */
    static int decode(MemorySegment source, long offset, int length, byte[] target) {
        int count = 0;
        for (int i = 0; i < length; i++) {
            if (DECODE[source.get(ValueLayout.JAVA_BYTE, offset + i) & 0xFF] != INVALID) {
                count++;
            }
        }
        if (count == 0 || count % 4 != 0) {
            return 0;
        }
        int out = 0;
        int inGroup = 0;
        int group = 0;
        int pad = 0;
        for (int i = 0; i < length; i++) {
            int d = DECODE[source.get(ValueLayout.JAVA_BYTE, offset + i) & 0xFF];
            if (d == INVALID) {
                continue;
            }
            if (d == PAD) {
                pad++;
                d = 0;
            }
            group = (group << 6) | d;
            if (++inGroup == 4) {
                target[out++] = (byte) (group >>> 16);
                target[out++] = (byte) (group >>> 8);
                target[out++] = (byte) group;
                inGroup = 0;
                group = 0;
                if (pad > 0) {
                    if (pad > 2) {
                        return 0;
                    }
                    return out - pad;
                }
            }
        }
        return out;
    }

    /**
     * Encodes {@code length} bytes of {@code source} from {@code offset} into {@code target} at
     * {@code at}, padded with '='.
     *
     * @return the index just past the last byte written
     */
    static int encode(MemorySegment source, long offset, int length, byte[] target, int at) {
        int n = at;
        int i = 0;
        for (; i + 3 <= length; i += 3) {
            int group = (byte3(source, offset + i) << 16) | (byte3(source, offset + i + 1) << 8) | byte3(source, offset + i + 2);
            target[n++] = ALPHABET[group >>> 18];
            target[n++] = ALPHABET[(group >>> 12) & 63];
            target[n++] = ALPHABET[(group >>> 6) & 63];
            target[n++] = ALPHABET[group & 63];
        }
        int rest = length - i;
        if (rest > 0) {
            int group = byte3(source, offset + i) << 16 | (rest == 2 ? byte3(source, offset + i + 1) << 8 : 0);
            target[n++] = ALPHABET[group >>> 18];
            target[n++] = ALPHABET[(group >>> 12) & 63];
            target[n++] = rest == 2 ? ALPHABET[(group >>> 6) & 63] : (byte) '=';
            target[n++] = '=';
        }
        return n;
    }

    private static int byte3(MemorySegment source, long offset) {
        return source.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }
}
