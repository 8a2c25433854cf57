package dev.mnemo.protocol;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * The ASCII bytes of the text protocol (protocol.txt): command names, the replies exactly as
 * memcached 1.6 spells them, and decimal formatting straight into a buffer (no String).
 * Stateless and thread-safe.
 */
final class Ascii {

    static final byte[] GET = bytes("get");
    static final byte[] GETS = bytes("gets");
    static final byte[] GAT = bytes("gat");
    static final byte[] GATS = bytes("gats");
    static final byte[] SET = bytes("set");
    static final byte[] ADD = bytes("add");
    static final byte[] REPLACE = bytes("replace");
    static final byte[] APPEND = bytes("append");
    static final byte[] PREPEND = bytes("prepend");
    static final byte[] CAS = bytes("cas");
    static final byte[] DELETE = bytes("delete");
    static final byte[] INCR = bytes("incr");
    static final byte[] DECR = bytes("decr");
    static final byte[] TOUCH = bytes("touch");
    static final byte[] STATS = bytes("stats");
    static final byte[] LRU_CRAWLER = bytes("lru_crawler");
    static final byte[] SLABS = bytes("slabs");
    static final byte[] FLUSH_ALL = bytes("flush_all");
    static final byte[] VERSION = bytes("version");
    static final byte[] VERBOSITY = bytes("verbosity");
    static final byte[] QUIT = bytes("quit");
    static final byte[] SHUTDOWN = bytes("shutdown");
    static final byte[] GRACEFUL = bytes("graceful");
    static final byte[] CACHE_MEMLIMIT = bytes("cache_memlimit");
    static final byte[] REFRESH_CERTS = bytes("refresh_certs");
    static final byte[] WATCH = bytes("watch");
    static final byte[] NOREPLY = bytes("noreply");
    static final byte[] ZERO = bytes("0");

    static final byte[] STORED = bytes("STORED\r\n");
    static final byte[] NOT_STORED = bytes("NOT_STORED\r\n");
    static final byte[] EXISTS = bytes("EXISTS\r\n");
    static final byte[] NOT_FOUND = bytes("NOT_FOUND\r\n");
    static final byte[] DELETED = bytes("DELETED\r\n");
    static final byte[] TOUCHED = bytes("TOUCHED\r\n");
    static final byte[] OK = bytes("OK\r\n");
    static final byte[] END = bytes("END\r\n");
    static final byte[] RESET = bytes("RESET\r\n");
    static final byte[] ERROR = bytes("ERROR\r\n");
    static final byte[] WATCHER_TOO_MANY = bytes("WATCHER_TOO_MANY log watcher limit reached\r\n");
    static final byte[] VALUE = bytes("VALUE ");
    static final byte[] CRLF = bytes("\r\n");
    static final byte[] BAD_FORMAT = bytes("CLIENT_ERROR bad command line format\r\n");
    static final byte[] BAD_DATA_CHUNK = bytes("CLIENT_ERROR bad data chunk\r\n");
    static final byte[] BAD_DELETE = bytes("CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]\r\n");
    static final byte[] BAD_EXPTIME = bytes("CLIENT_ERROR invalid exptime argument\r\n");
    static final byte[] BAD_DELTA = bytes("CLIENT_ERROR invalid numeric delta argument\r\n");
    static final byte[] NON_NUMERIC = bytes("CLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
    static final byte[] BAD_SHUTDOWN_MODE = bytes("CLIENT_ERROR invalid shutdown mode\r\n");
    static final byte[] UNAUTHENTICATED = bytes("CLIENT_ERROR unauthenticated\r\n");
    static final byte[] AUTH_FAILURE = bytes("CLIENT_ERROR authentication failure\r\n");
    static final byte[] BAD_AUTH_TOKEN = bytes("CLIENT_ERROR bad authentication token format\r\n");
    static final byte[] STATS_DETAIL_USAGE = bytes("CLIENT_ERROR usage: stats detail on|off|dump\r\n");
    static final byte[] TOO_LARGE = bytes("SERVER_ERROR object too large for cache\r\n");
    static final byte[] OUT_OF_MEMORY_STORING = bytes("SERVER_ERROR out of memory storing object\r\n");
    static final byte[] OUT_OF_MEMORY = bytes("SERVER_ERROR out of memory\r\n");
    static final byte[] SHUTDOWN_DISABLED = bytes("ERROR: shutdown not enabled\r\n");
    static final byte[] MEMLIMIT_TOO_SMALL = bytes("MEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m\r\n");
    static final byte[] MEMLIMIT_NOT_BYTES = bytes("MEMLIMIT_ADJUST_FAILED input value is megabytes not bytes\r\n");
    static final byte[] MEMLIMIT_FAILED = bytes("MEMLIMIT_ADJUST_FAILED out of bounds or unable to adjust\r\n");

    private Ascii() {
    }

    /**
     * Appends the decimal digits of an unsigned 64-bit number, allocating nothing.
     *
     * @param out   where to write
     * @param value the number, read as unsigned (so -1 is 18446744073709551615)
     */
    static void writeUnsigned(ByteBuf out, long value) {
        if (value < 0) {
            long quotient = Long.divideUnsigned(value, 10);
            writeUnsigned(out, quotient);
            out.writeByte((int) ('0' + (value - quotient * 10)));
            return;
        }
        int digits = 1;
        for (long v = value / 10; v != 0; v /= 10) {
            digits++;
        }
        out.ensureWritable(digits);
        int end = out.writerIndex() + digits;
        int i = end;
        long v = value;
        do {
            out.setByte(--i, (int) ('0' + v % 10));
            v /= 10;
        } while (v != 0);
        out.writerIndex(end);
    }

    /**
     * Puts the decimal digits of an unsigned 64-bit number into an array, allocating nothing.
     *
     * @param to    the array, with room for up to 20 digits from {@code at}
     * @param at    where the first digit goes
     * @param value the number, read as unsigned
     * @return the index just past the last digit
     */
    static int putUnsigned(byte[] to, int at, long value) {
        if (value < 0) {
            long quotient = Long.divideUnsigned(value, 10);
            int end = putUnsigned(to, at, quotient);
            to[end] = (byte) ('0' + (value - quotient * 10));
            return end + 1;
        }
        int digits = 1;
        for (long bound = 10; digits < 19 && value >= bound; bound *= 10) {
            digits++;
        }
        int end = at + digits;
        long v = value;
        for (int i = end - 1; i >= at; i--) {
            to[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return end;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
