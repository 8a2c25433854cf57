package dev.mnemo.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The SASL PLAIN mechanism (RFC 4616): one message, {@code [authzid] NUL authcid NUL passwd},
 * checked against an {@link AuthFile}. The only mechanism Mnemo offers (memcached offers what
 * its Cyrus SASL library is configured with). Stateless; thread-safe.
 */
final class SaslPlain {

    /** The mechanism's name, as SASL_LIST_MECHS lists it and SASL_AUTH names it. */
    static final String NAME = "PLAIN";

    /** The longest PLAIN message accepted, in bytes (RFC 4616 allows 255 + 255 + 255 + 2). */
    static final int MAX_MESSAGE = 1024;

    private SaslPlain() {
    }

    /**
     * Checks one PLAIN message; counts the attempt in the file's auth_cmds / auth_errors.
     *
     * @param auth   the credentials
     * @param buf    the buffer holding the message
     * @param index  buffer index of its first byte
     * @param length its length in bytes, at most {@link #MAX_MESSAGE}
     * @return whether the message is well formed and its user and password are in the file
     */
    static boolean authenticate(AuthFile auth, ByteBuf buf, int index, int length) {
        int end = index + length;
        int first = buf.indexOf(index, end, (byte) 0);
        int second = first < 0 ? -1 : buf.indexOf(first + 1, end, (byte) 0);
        if (second < 0) {
            auth.countFailure();
            return false;
        }
        byte[] user = new byte[second - first - 1];
        buf.getBytes(first + 1, user);
        byte[] password = new byte[end - second - 1];
        buf.getBytes(second + 1, password);
        return auth.check(user, password);
    }
}
