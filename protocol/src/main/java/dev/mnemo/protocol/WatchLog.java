package dev.mnemo.protocol;

import dev.mnemo.store.EvictionListener;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * memcached's "watch" log: the server-wide hub requests report events to and the connections
 * that became log streams ({@link LogWatcher}) read them from. An event is captured only when a
 * watcher of its stream is attached: with none, a request pays one volatile read
 * ({@link #watching}). Capturing never blocks and never formats: the event goes to each
 * interested watcher's queue, bounded in bytes ({@link LogWatcher#BUFFER_BYTES}), or is skipped
 * and counted if it does not fit, and the watcher's own event loop formats it (memcached's logger
 * thread does the same for its workers). At most {@value #MAX_WATCHERS} watchers, as memcached's.
 *
 * <p>Streams as memcached 1.6.18 accepts them: fetchers (item_get: text get, gets, gat, gats, mg, binary GET/GAT/TOUCH),
 * mutations (item_store: text storage commands, ms, binary SET/ADD/REPLACE/APPEND/PREPEND), connevents (conn_new, conn_close),
 * evictions (eviction: the store's {@link EvictionListener}, which the server sets to this log; only
 * this process's evictions, not a co-located process's); rawcmds, sysevents and proxyreqs are
 * accepted and emit nothing. Thread-safe.
 */
public final class WatchLog implements EvictionListener {

    /** item_get lines. */
    public static final int FETCHERS = 1;
    /** item_store lines. */
    public static final int MUTATIONS = 1 << 1;
    /** conn_new and conn_close lines. */
    public static final int CONNEVENTS = 1 << 2;
    /** eviction lines. */
    public static final int EVICTIONS = 1 << 3;
    /** Accepted streams that Mnemo emits nothing on: rawcmds, sysevents, proxyreqs. */
    static final int SILENT = 1 << 4;

    /** Watchers at most, attached or about to be: memcached 1.6.18's WATCHER_LIMIT (logger.h). */
    public static final int MAX_WATCHERS = 20;

    private static final byte[][] NAMES = names("fetchers", "mutations", "connevents", "evictions", "rawcmds", "sysevents", "proxyreqs");
    private static final int[] FLAGS = {FETCHERS, MUTATIONS, CONNEVENTS, EVICTIONS, SILENT, SILENT, SILENT};

    /** The attached watchers; replaced, never changed, so that requests iterate it without a lock or an iterator. */
    private volatile LogWatcher[] watchers = new LogWatcher[0];
    /** Watchers attached or reserved ({@link #reserve}), at most {@link #MAX_WATCHERS}. */
    private final AtomicInteger slots = new AtomicInteger();
    private final AtomicLong gid = new AtomicLong();
    final AtomicLong sent = new AtomicLong();
    final AtomicLong skipped = new AtomicLong();
    private volatile int streams;

    /**
     * @param line  a "watch" line
     * @param token the index of a stream name in it
     * @return its stream's flag, or 0 for a name memcached 1.6.18 refuses (ERROR), "deletions" included
     */
    static int stream(CommandLine line, int token) {
        for (int i = 0; i < NAMES.length; i++) {
            if (line.is(token, NAMES[i])) {
                return FLAGS[i];
            }
        }
        return 0;
    }

    private static byte[][] names(String... names) {
        byte[][] bytes = new byte[names.length][];
        for (int i = 0; i < names.length; i++) {
            bytes[i] = names[i].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
        return bytes;
    }

    /** @return whether a watcher of {@code stream} is attached; one volatile read */
    public boolean watching(int stream) {
        return (streams & stream) != 0;
    }

    /**
     * Takes a watcher's slot for a "watch" that is about to say OK; the connection's
     * {@link #attach} then fills it. memcached answers a "watch" past its limit
     * WATCHER_TOO_MANY and the connection stays a plain one (proto_text.c process_watch_command).
     * Thread-safe, lock-free.
     *
     * @return false if {@value #MAX_WATCHERS} watchers are attached or reserved
     */
    boolean reserve() {
        int taken;
        do {
            taken = slots.get();
            if (taken >= MAX_WATCHERS) {
                return false;
            }
        } while (!slots.compareAndSet(taken, taken + 1));
        return true;
    }

    /**
     * Makes a connection a log stream, in the slot its "watch" {@link #reserve reserved} (the
     * protocol reserves it before returning {@link Outcome#WATCH}; the connection must then attach).
     *
     * @param streams the streams it asked for (flags of this class)
     * @param wakeup  run (from any thread) when its queue turns non-empty; must not block
     * @return the watcher, to drain on its connection's event loop and to {@link #detach}
     */
    public synchronized LogWatcher attach(int streams, Runnable wakeup) {
        LogWatcher watcher = new LogWatcher(this, streams, wakeup);
        LogWatcher[] now = Arrays.copyOf(watchers, watchers.length + 1);
        now[now.length - 1] = watcher;
        watchers = now;
        recomputeStreams();
        return watcher;
    }

    /** @param watcher a watcher whose connection closed; it receives nothing more, and its slot is free */
    public synchronized void detach(LogWatcher watcher) {
        LogWatcher[] was = watchers;
        for (int i = 0; i < was.length; i++) {
            if (was[i] == watcher) {
                LogWatcher[] now = new LogWatcher[was.length - 1];
                System.arraycopy(was, 0, now, 0, i);
                System.arraycopy(was, i + 1, now, i, now.length - i);
                watchers = now;
                slots.decrementAndGet();
                recomputeStreams();
                return;
            }
        }
    }

    /** @return watchers attached now [log_watchers] */
    public int watchers() {
        return watchers.length;
    }

    /** @return lines sent to watchers [log_watcher_sent] */
    public long sent() {
        return sent.get();
    }

    /** @return events that did not fit a watcher's queue, counted once per watcher [log_watcher_skipped] */
    public long skipped() {
        return skipped.get();
    }

    /** Called holding this log's lock. */
    private void recomputeStreams() {
        int union = 0;
        for (LogWatcher w : watchers) {
            union |= w.streams;
        }
        streams = union;
    }

    /** Reports a text get's lookup; call only when {@link #watching watching(FETCHERS)}. */
    void fetched(MemorySegment memory, long offset, int length, boolean found, int size, int cfd) {
        int bytes = LogEvent.heapBytes(length, null);
        if (room(FETCHERS, bytes)) {
            publish(new LogEvent(LogEvent.ITEM_GET, now(), gid.incrementAndGet(), key(memory, offset, length),
                    found ? "found" : "not_found", null, 0, 0, found ? 1 : 0, cfd, found ? size : 0, null, 0), FETCHERS, bytes);
        }
    }

    /**
     * Reports a text storage command's outcome; call only when {@link #watching watching(MUTATIONS)}.
     *
     * @param ttl seconds the new item would live, 0 for no expiry (as a C uint32, like memcached's)
     */
    void stored(MemorySegment memory, long offset, int length, String status, String command, long ttl, int size, int cfd) {
        int bytes = LogEvent.heapBytes(length, null);
        if (room(MUTATIONS, bytes)) {
            publish(new LogEvent(LogEvent.ITEM_STORE, now(), gid.incrementAndGet(), key(memory, offset, length),
                    status, command, ttl & 0xFFFF_FFFFL, 0, 1, cfd, size, null, 0), MUTATIONS, bytes);
        }
    }

    /**
     * Reports an item the store evicted, as memcached's eviction line (items.c logs it where
     * lru_pull_tail evicts; expired items it reclaims are not logged). Called by the store on
     * the evicting thread under its locks: one volatile read when no evictions watcher is
     * attached, else a copy of the key offered to each watcher's queue, never blocking.
     */
    @Override
    public void evicted(MemorySegment memory, long keyOffset, int keyLength, int valueLength, boolean fetched,
                        long ttl, long idle) {
        if (!watching(EVICTIONS)) {
            return;
        }
        int bytes = LogEvent.heapBytes(keyLength, null);
        if (room(EVICTIONS, bytes)) {
            publish(new LogEvent(LogEvent.EVICTION, now(), gid.incrementAndGet(), key(memory, keyOffset, keyLength),
                    fetched ? "yes" : "no", null, ttl, idle, 1, 0, valueLength, null, 0), EVICTIONS, bytes);
        }
    }

    /**
     * Reports a connection opened or closed, if a connevents watcher is attached.
     *
     * @param reason null for conn_new, else conn_close's reason (normal, error, shutdown)
     * @param ip     the client's address, port its port
     */
    public void connection(String reason, String ip, int port, int cfd) {
        if (!watching(CONNEVENTS)) {
            return;
        }
        int bytes = LogEvent.heapBytes(0, ip);
        if (room(CONNEVENTS, bytes)) {
            publish(new LogEvent(reason == null ? LogEvent.CONN_NEW : LogEvent.CONN_CLOSE, now(), gid.incrementAndGet(),
                    null, reason, null, 0, 0, 0, cfd, 0, ip, port), CONNEVENTS, bytes);
        }
    }

    /**
     * Whether an event of {@code bytes} ({@link LogEvent#heapBytes}) is worth capturing: if it
     * fits no watcher of the stream, counts it skipped by each, before it is even built, so that
     * stalled watchers cost a request a few volatile reads and no allocation.
     *
     * @return whether a watcher of the stream has room for it
     */
    private boolean room(int stream, int bytes) {
        LogWatcher[] all = watchers;
        for (LogWatcher w : all) {
            if ((w.streams & stream) != 0 && w.hasRoom(bytes)) {
                return true;
            }
        }
        for (LogWatcher w : all) {
            if ((w.streams & stream) != 0) {
                w.skip();
            }
        }
        return false;
    }

    /** Offers the event to each watcher of the stream; one it does not fit counts it skipped. */
    private void publish(LogEvent event, int stream, int bytes) {
        for (LogWatcher w : watchers) {
            if ((w.streams & stream) != 0) {
                w.offer(event, bytes);
            }
        }
    }

    private static long now() {
        Instant t = Instant.now();
        return t.getEpochSecond() * 1_000_000 + t.getNano() / 1000;
    }

    private static byte[] key(MemorySegment memory, long offset, int length) {
        byte[] key = new byte[length];
        MemorySegment.copy(memory, ValueLayout.JAVA_BYTE, offset, key, 0, length);
        return key;
    }
}
