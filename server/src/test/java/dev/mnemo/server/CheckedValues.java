package dev.mnemo.server;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * Self-checking values for the crash tests: a value is one or more records, each
 * {@code <4 hex digits: payload length><payload: lowercase letters><8 hex digits: CRC-32 of the payload>},
 * so a set writes one record and an append or prepend adds one, and any torn, truncated or mixed
 * value fails {@link #check}. Counter keys (incr/decr) hold decimal digits instead.
 */
final class CheckedValues {

    /** Largest payload of one record, in bytes. */
    static final int MAX_PAYLOAD = 600;

    private static final HexFormat HEX = HexFormat.of();

    private CheckedValues() {
    }

    /** @return one record with a payload of 1 to {@link #MAX_PAYLOAD} random letters */
    static byte[] record(Random random) {
        int length = 1 + random.nextInt(MAX_PAYLOAD);
        byte[] payload = new byte[length];
        for (int i = 0; i < length; i++) {
            payload[i] = (byte) ('a' + random.nextInt(26));
        }
        CRC32 crc = new CRC32();
        crc.update(payload);
        String text = HEX.toHexDigits((short) length) + new String(payload, StandardCharsets.US_ASCII)
                + HEX.toHexDigits((int) crc.getValue());
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * @param value a value read back
     * @return null if it is a whole sequence of intact records, else what is wrong with it
     */
    static String check(byte[] value) {
        if (value.length == 0) {
            return "empty value";
        }
        int at = 0;
        while (at < value.length) {
            if (value.length - at < 4 + 1 + 8) {
                return "truncated record at byte " + at + " of " + value.length;
            }
            int length;
            try {
                length = HEX.fromHexDigits(new String(value, at, 4, StandardCharsets.US_ASCII));
            } catch (IllegalArgumentException e) {
                return "bad length at byte " + at;
            }
            if (length < 1 || length > MAX_PAYLOAD || at + 4 + length + 8 > value.length) {
                return "bad length " + length + " at byte " + at + " of " + value.length;
            }
            CRC32 crc = new CRC32();
            crc.update(value, at + 4, length);
            String expected = HEX.toHexDigits((int) crc.getValue());
            String actual = new String(value, at + 4 + length, 8, StandardCharsets.US_ASCII);
            if (!expected.equals(actual)) {
                return "checksum mismatch at byte " + at + ": " + actual + " != " + expected;
            }
            at += 4 + length + 8;
        }
        return null;
    }

    /**
     * @return null if {@code value} is the decimal text of an unsigned 64-bit number, possibly
     *         followed by spaces (a decr that shortens the number pads it in place, as memcached
     *         does: protocol.txt "Increment/Decrement"), else why not
     */
    static String checkCounter(byte[] value) {
        int digits = 0;
        while (digits < value.length && value[digits] >= '0' && value[digits] <= '9') {
            digits++;
        }
        int end = digits;
        while (end < value.length && value[end] == ' ') {
            end++;
        }
        if (digits == 0 || digits > 20 || end != value.length) {
            return "not a counter: '" + new String(value, StandardCharsets.US_ASCII) + "'";
        }
        return null;
    }
}
