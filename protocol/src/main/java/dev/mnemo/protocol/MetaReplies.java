package dev.mnemo.protocol;

import java.nio.charset.StandardCharsets;

/**
 * The fixed bytes of meta-protocol replies (protocol.txt "Meta Commands"), worded exactly as
 * memcached 1.6.18 words them.
 */
final class MetaReplies {

    static final byte[] HD = bytes("HD");
    static final byte[] VA = bytes("VA ");
    static final byte[] EN = bytes("EN");
    static final byte[] EN_LINE = bytes("EN\r\n");
    static final byte[] NS = bytes("NS");
    static final byte[] EX = bytes("EX");
    static final byte[] NF = bytes("NF");
    static final byte[] MN_REPLY = bytes("MN\r\n");
    static final byte[] ME_REPLY = bytes("ME ");

    static final byte[] DUPLICATE_FLAG = bytes("CLIENT_ERROR duplicate flag\r\n");
    static final byte[] INVALID_FLAG = bytes("CLIENT_ERROR invalid flag\r\n");
    static final byte[] INVALID_OR_DUPLICATE_FLAG = bytes("CLIENT_ERROR invalid or duplicate flag\r\n");
    static final byte[] DECODE_ERROR = bytes("CLIENT_ERROR error decoding key\r\n");
    static final byte[] BAD_TOKEN = bytes("CLIENT_ERROR bad token in command line format\r\n");
    static final byte[] M_LENGTH = bytes("CLIENT_ERROR incorrect length for M token\r\n");
    static final byte[] BAD_INITIAL = bytes("CLIENT_ERROR invalid numeric initial value\r\n");
    static final byte[] BAD_DELTA = bytes("CLIENT_ERROR invalid numeric delta value\r\n");
    static final byte[] OPAQUE_TOO_LONG = bytes("CLIENT_ERROR opaque token too long\r\n");
    static final byte[] MG_TOO_MANY_FLAGS = bytes("CLIENT_ERROR options flags are too long\r\n");
    static final byte[] TOO_MANY_FLAGS = bytes("CLIENT_ERROR options flags too long\r\n");
    static final byte[] MS_BAD_MODE = bytes("CLIENT_ERROR invalid mode for ms M token\r\n");
    static final byte[] MA_BAD_MODE = bytes("CLIENT_ERROR invalid mode for ma M token\r\n");

    private MetaReplies() {
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
