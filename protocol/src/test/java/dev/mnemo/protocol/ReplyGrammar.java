package dev.mnemo.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The fuzz targets' reply oracle: checks that a connection's whole text reply stream is a
 * sequence of memcached 1.6 reply forms (protocol.txt: "Storage commands", "Retrieval command",
 * "Deletion", "Increment/Decrement", "Touch", "Meta Debug" … "Meta No-Op", "General-purpose
 * statistics", "Slabs Reassign", "LRU_Crawler", "Other commands"), each line ending in CRLF, and
 * every data block ("VALUE …", "VA …") exactly as long as its line says and followed by CRLF.
 *
 * <p>Stateless; thread-safe.
 */
public final class ReplyGrammar {

    /** A key as a reply echoes it: memcached checks only its length and that it holds no space or newline. */
    private static final String KEY = "[^\\x20\\n]{1,250}";
    private static final String U64 = "(0|[1-9][0-9]{0,19})";
    /** One meta reply flag: a space, a letter, then a token of any byte but space and newline. */
    private static final String META_FLAG = " [a-zA-Z][^\\x20\\n]*";
    /**
     * Meta reply flags: a letter, then a token (k echoes the key, O the opaque: any byte but space
     * and newline, a CR not before the newline included, as memcached's tokenizer splits on spaces only).
     * The one exception, last: memcached 1.6.18 can echo a base64 key (flag b) in its k flag
     * decoded, raw bytes and spaces included (seen on a miss that N created: "mg <base64> b v k N0"
     * answered "VA 0 k<key bytes> W", by memcached and Mnemo alike; found by the meta fuzz target,
     * MetaFuzzTestInputs/meta/vivified-base64-key-echoed-decoded), so a k token may run to the end of the line,
     * and its bytes may hold a bare LF (seen on "mg <base64> b v c k" in a UDP datagram: memcached answered
     * "HD c2 k<key bytes with LF> O… W" byte for byte as Mnemo; UdpFuzzTestInputs/datagrams/base64-key-with-lf-echoed-decoded):
     * see {@link #META_WITH_KEY}. A decoded key holding CR LF makes memcached's reply itself ambiguous; no input has.
     */
    private static final String META_FLAGS = "(" + META_FLAG + ")*( k(?s:.)*)?";
    /** The start of a meta reply line with a k flag: such a line runs to the next CRLF, bare LFs included. */
    private static final Pattern META_WITH_KEY = Pattern.compile("(?s)(HD|NS|EX|NF|EN|VA [0-9]+)(" + META_FLAG + ")* k.*");

    /** Every single-line reply form, as memcached 1.6.18 writes it. */
    private static final Pattern LINE = Pattern.compile(String.join("|",
            "STORED", "NOT_STORED", "EXISTS", "NOT_FOUND", "DELETED", "TOUCHED", "OK", "END", "RESET", "ERROR",
            "ERROR: shutdown not enabled", "ERROR an unknown error happened",
            "CLIENT_ERROR [\\x20-\\x7e]+", "SERVER_ERROR [\\x20-\\x7e]+",
            "VERSION [\\x21-\\x7e]+",
            U64, // incr/decr
            "STAT [\\x21-\\x7e]+ [\\x20-\\x7e]*", // stats, stats settings/items/slabs/conns/detail
            // stats detail dump: a prefix is a key's bytes before the delimiter, so it may be empty (a key starting with
            // the delimiter) and may hold a CR (memcached 1.6.18 prints "PREFIX n\r get 1 …" after "get n\r:x")
            "PREFIX [^\\x20\\n]* get " + U64 + " hit " + U64 + " set " + U64 + " del " + U64,
            "ITEM " + KEY + " \\[[0-9]+ b; [0-9]+ s\\]", // stats cachedump
            // meta (protocol.txt "Meta Get" … "Meta No-Op", "Meta Debug")
            "HD" + META_FLAGS, "NS" + META_FLAGS, "EX" + META_FLAGS, "NF" + META_FLAGS, "EN" + META_FLAGS, "MN", // a miss echoes O, k and b (protocol.txt "Meta Get")
            "ME " + KEY + "( [a-z]+=[^\\x20\\r\\n]*)*",
            // slabs reassign / automove, lru_crawler, cache_memlimit
            "BUSY [\\x20-\\x7e]+", "BADCLASS [\\x20-\\x7e]+", "NOSPARE [\\x20-\\x7e]+", "NOTFULL [\\x20-\\x7e]+",
            "UNSAFE [\\x20-\\x7e]+", "SAME [\\x20-\\x7e]+", "MEMLIMIT_TOO_SMALL [\\x20-\\x7e]+",
            "MEMLIMIT_ADJUST_FAILED [\\x20-\\x7e]+",
            "WATCHER_TOO_MANY log watcher limit reached", // watch past memcached's 20 watchers
            "mg " + KEY)); // lru_crawler mgdump

    /**
     * The most frequent forms of {@link #LINE}, tried first only to save time (the fuzz targets
     * check every reply): a line they do not match is still checked against {@link #LINE}.
     */
    private static final Set<String> CONSTANT_LINES = Set.of("STORED", "NOT_STORED", "EXISTS", "NOT_FOUND", "DELETED",
            "TOUCHED", "OK", "END", "RESET", "ERROR", "HD", "NS", "EX", "NF", "EN", "MN");
    private static final Pattern STAT = Pattern.compile("STAT [\\x21-\\x7e]+ [\\x20-\\x7e]*");

    private static final Pattern METADUMP = Pattern.compile("key=[\\x21-\\x7e]+( [a-z]+=[\\x21-\\x7e]*)*");
    private static final Pattern VALUE = Pattern.compile("VALUE " + KEY + " " + U64 + " (" + U64 + ")( " + U64 + ")?");
    private static final Pattern VA = Pattern.compile("VA (" + U64 + ")" + META_FLAGS);

    private ReplyGrammar() {
    }

    /**
     * @param reply a text connection's reply bytes: whole replies
     * @throws AssertionError naming the first line that is no memcached reply form
     */
    public static void checkText(byte[] reply) {
        int at = 0;
        while (at < reply.length) {
            int lf = indexOf(reply, (byte) '\n', at);
            if (lf < 0) {
                throw new AssertionError("reply not ending in a newline at " + at + ": " + show(reply, at, reply.length));
            }
            if ((lf == at || reply[lf - 1] != '\r')
                    && META_WITH_KEY.matcher(new String(reply, at, lf - at, StandardCharsets.ISO_8859_1)).matches()) {
                int next = indexOfCrlf(reply, lf + 1);
                if (next >= 0) {
                    lf = next + 1;
                }
            }
            boolean crlf = lf > at && reply[lf - 1] == '\r';
            int eol = crlf ? lf - 1 : lf;
            String line = new String(reply, at, eol - at, StandardCharsets.ISO_8859_1);
            at = lf + 1;
            if (!crlf) {
                // lru_crawler metadump lines are the one reply form that ends in a bare LF (memcached's crawler.c)
                if (!METADUMP.matcher(line).matches()) {
                    throw new AssertionError("reply line not ending in CRLF: " + show(reply, eol - line.length(), lf + 1));
                }
                continue;
            }
            long block = dataBlockLength(line);
            if (block >= 0) {
                if (reply.length - at < block + 2 || reply[at + (int) block] != '\r' || reply[at + (int) block + 1] != '\n') {
                    throw new AssertionError("data block of " + block + " bytes not followed by CRLF after: " + line);
                }
                at += (int) block + 2;
            } else if (!CONSTANT_LINES.contains(line) && !(line.startsWith("STAT ") && STAT.matcher(line).matches())
                    && !LINE.matcher(line).matches()) {
                throw new AssertionError("not a memcached reply line: " + show(reply, eol - line.length(), eol));
            }
        }
    }

    /**
     * @param reply a binary connection's response bytes: whole packets
     * @throws AssertionError at the first packet that is not a well-formed response: magic 0x81,
     *         a known status, key and extras within the body, the stream ending on a packet boundary
     */
    public static void checkBinary(byte[] reply) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(reply);
        while (b.hasRemaining()) {
            if (b.remaining() < 24) {
                throw new AssertionError("a partial response header of " + b.remaining() + " bytes");
            }
            int at = b.position();
            int magic = b.get(at) & 0xFF;
            int keyLength = b.getShort(at + 2) & 0xFFFF;
            int extrasLength = b.get(at + 4) & 0xFF;
            int dataType = b.get(at + 5) & 0xFF;
            int status = b.getShort(at + 6) & 0xFFFF;
            long body = b.getInt(at + 8) & 0xFFFFFFFFL;
            if (magic != 0x81 || dataType != 0 || !knownStatus(status) || keyLength + extrasLength > body
                    || body > b.remaining() - 24) {
                throw new AssertionError("malformed response header at " + at + ": " + show(reply, at, at + 24));
            }
            b.position(at + 24 + (int) body);
        }
    }

    /** @return whether memcached 1.6 sends this status ("Response Status") */
    private static boolean knownStatus(int status) {
        return status <= 0x09 || status == 0x20 || status == 0x21 || status == 0x22 || status == 0x81 || status == 0x82
                || status == 0x83 || status == 0x84 || status == 0x85 || status == 0x86;
    }

    /** @return the data block length a VALUE or VA line announces, or -1 if it is no such line */
    private static long dataBlockLength(String line) {
        if (line.startsWith("VALUE ")) {
            var value = VALUE.matcher(line);
            if (value.matches()) {
                return Long.parseLong(value.group(3));
            }
        } else if (line.startsWith("VA ")) {
            var va = VA.matcher(line);
            if (va.matches()) {
                return Long.parseLong(va.group(1));
            }
        }
        return -1;
    }

    private static int indexOfCrlf(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(byte[] b, byte value, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static String show(byte[] b, int from, int to) {
        int end = Math.min(to, from + 200);
        StringBuilder s = new StringBuilder();
        for (int i = from; i < end; i++) {
            int c = b[i] & 0xFF;
            s.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return s.toString();
    }
}
