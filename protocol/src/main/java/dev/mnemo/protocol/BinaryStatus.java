package dev.mnemo.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Response status codes of memcached's binary protocol ({@code PROTOCOL_BINARY_RESPONSE_*} in
 * protocol_binary.h; "BinaryProtocolRevamped", section "Response Status") and the error body
 * text memcached 1.6 sends with each (proto_bin.c {@code write_bin_error}, checked against
 * 1.6.18).
 */
final class BinaryStatus {

    static final int SUCCESS = 0x00;
    static final int KEY_ENOENT = 0x01;
    static final int KEY_EEXISTS = 0x02;
    static final int E2BIG = 0x03;
    static final int EINVAL = 0x04;
    static final int NOT_STORED = 0x05;
    static final int DELTA_BADVAL = 0x06;
    static final int AUTH_ERROR = 0x20;
    static final int UNKNOWN_COMMAND = 0x81;
    static final int ENOMEM = 0x82;

    private static final byte[] NOT_FOUND_TEXT = ascii("Not found");
    private static final byte[] EXISTS_TEXT = ascii("Data exists for key.");
    private static final byte[] TOO_LARGE_TEXT = ascii("Too large.");
    private static final byte[] INVALID_TEXT = ascii("Invalid arguments");
    private static final byte[] NOT_STORED_TEXT = ascii("Not stored.");
    private static final byte[] BAD_DELTA_TEXT = ascii("Non-numeric server-side value for incr or decr");
    private static final byte[] AUTH_FAILURE_TEXT = ascii("Auth failure.");
    private static final byte[] UNKNOWN_TEXT = ascii("Unknown command");
    private static final byte[] NO_MEMORY_TEXT = ascii("Out of memory");
    private static final byte[] UNHANDLED_TEXT = ascii("UNHANDLED ERROR");

    private BinaryStatus() {
    }

    /** @return the body memcached sends with error {@code status} (shared; do not modify) */
    static byte[] text(int status) {
        return switch (status) {
            case KEY_ENOENT -> NOT_FOUND_TEXT;
            case KEY_EEXISTS -> EXISTS_TEXT;
            case E2BIG -> TOO_LARGE_TEXT;
            case EINVAL -> INVALID_TEXT;
            case NOT_STORED -> NOT_STORED_TEXT;
            case DELTA_BADVAL -> BAD_DELTA_TEXT;
            case AUTH_ERROR -> AUTH_FAILURE_TEXT;
            case UNKNOWN_COMMAND -> UNKNOWN_TEXT;
            case ENOMEM -> NO_MEMORY_TEXT;
            default -> UNHANDLED_TEXT;
        };
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
