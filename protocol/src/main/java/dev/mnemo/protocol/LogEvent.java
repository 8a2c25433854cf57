package dev.mnemo.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * One event of the "watch" log, captured on the request's event loop and formatted on the
 * watcher's as memcached 1.6.18's logger formats it (a line ended by "\n", not "\r\n").
 *
 * @param type     {@link #ITEM_GET}, {@link #ITEM_STORE}, {@link #EVICTION}, {@link #CONN_NEW} or {@link #CONN_CLOSE}
 * @param micros   when, in microseconds since the epoch
 * @param gid      the server-wide sequence number of the event
 * @param key      the item's key (item events), URL-encoded when written
 * @param status   item_get's found/not_found, item_store's stored/exists/..., eviction's fetch
 *                 (yes/no), conn_close's reason
 * @param command  item_store's command (set, add, ...)
 * @param ttl      item_store's seconds to live, 0 for none; eviction's seconds left, -1 for none
 * @param idle     eviction's seconds since the item's last access (memcached's "la")
 * @param clsid    memcached's slab class: 1 for an item, 0 for a miss (Mnemo has no classes)
 * @param cfd      the connection's number (memcached's file descriptor)
 * @param size     the value's length in bytes
 * @param ip       conn events' client address, port its port
 */
record LogEvent(int type, long micros, long gid, byte[] key, String status, String command, long ttl,
                long idle, int clsid, int cfd, long size, String ip, int port) {

    static final int ITEM_GET = 0;
    static final int ITEM_STORE = 1;
    static final int CONN_NEW = 2;
    static final int CONN_CLOSE = 3;
    static final int EVICTION = 4;

    private static final String HEX = "0123456789ABCDEF";

    /**
     * Heap bytes of an event and its queue node, without the key and the address: the record
     * (a 16-byte header, 5 references of 8 bytes, 5 longs, 4 ints: 112), a
     * ConcurrentLinkedQueue node (header, item and next: 32) and the key array's header with its
     * length (24). Headers and references are counted at their largest (no compressed class
     * pointers or oops), so the estimate holds for any 64-bit HotSpot layout.
     */
    private static final int FIXED_BYTES = 112 + 32 + 24;
    /** The address String's own bytes (header, value reference, hash, coder, flag: 32) and its array's header (24). */
    private static final int ADDRESS_BYTES = 32 + 24;

    /**
     * A conservative estimate of the heap one queued event holds, in bytes, which
     * {@link LogWatcher} bounds per watcher: {@link #FIXED_BYTES}, the key's bytes and the conn
     * events' address (Latin-1, one byte a character), arrays rounded up to 8 bytes. status and
     * command are shared literals and not counted. An event queued to several watchers is
     * counted by each. Thread-safe.
     *
     * @param keyLength the key's length in bytes, 0 for none
     * @param ip        the client's address, or null
     * @return bytes: 176 for an item event with a 1-byte key, 424 with a 250-byte key (memcached's
     *         longest), 240 for a conn event from 127.0.0.1
     */
    static int heapBytes(int keyLength, String ip) {
        int bytes = FIXED_BYTES + align(keyLength);
        return ip == null ? bytes : bytes + ADDRESS_BYTES + align(ip.length());
    }

    /** @return {@link #heapBytes(int, String)} of this event */
    int heapBytes() {
        return heapBytes(key == null ? 0 : key.length, ip);
    }

    private static int align(int length) {
        return (length + 7) & ~7;
    }

    /** Appends the event's line. */
    void write(ByteBuf out) {
        StringBuilder s = new StringBuilder(128);
        // memcached prints tv_usec with %d: not zero-padded
        s.append("ts=").append(micros / 1_000_000).append('.').append(micros % 1_000_000)
                .append(" gid=").append(gid).append(" type=");
        switch (type) {
            case ITEM_GET -> keyed(s.append("item_get")).append(" status=").append(status)
                    .append(" clsid=").append(clsid).append(" cfd=").append(cfd).append(" size=").append(size);
            case ITEM_STORE -> keyed(s.append("item_store")).append(" status=").append(status)
                    .append(" cmd=").append(command).append(" ttl=").append(ttl).append(" clsid=").append(clsid)
                    .append(" cfd=").append(cfd).append(" size=").append(size);
            case EVICTION -> keyed(s.append("eviction")).append(" fetch=").append(status).append(" ttl=").append(ttl)
                    .append(" la=").append(idle).append(" clsid=").append(clsid).append(" size=").append(size);
            case CONN_NEW -> s.append("conn_new rip=").append(ip).append(" rport=").append(port)
                    .append(" transport=tcp cfd=").append(cfd);
            default -> s.append("conn_close rip=").append(ip).append(" rport=").append(port)
                    .append(" transport=tcp reason=").append(status).append(" cfd=").append(cfd);
        }
        s.append('\n');
        ByteBufUtil.writeAscii(out, s);
    }

    /** memcached's uriencode: every byte but A-Z a-z 0-9 - . _ ~ as %XX. */
    private StringBuilder keyed(StringBuilder s) {
        s.append(" key=");
        for (byte b : key) {
            int c = b & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                s.append((char) c);
            } else {
                s.append('%').append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 15));
            }
        }
        return s;
    }
}
