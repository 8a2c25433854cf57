package dev.mnemo.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The "watch" log's bounds, wakeups and memcached 1.6.18 line format, without a network. */
class WatchLogTest {

    private static final MemorySegment KEY = MemorySegment.ofArray("a:b c%".getBytes(StandardCharsets.US_ASCII));

    /** Attaches as a connection does after its "watch" reserved a slot. */
    private static LogWatcher attach(WatchLog log, int streams, Runnable wakeup) {
        assertTrue(log.reserve());
        return log.attach(streams, wakeup);
    }

    private static String drain(LogWatcher watcher) {
        ByteBuf out = Unpooled.buffer();
        watcher.drainTo(out, Integer.MAX_VALUE);
        return out.toString(StandardCharsets.US_ASCII).replaceAll("ts=\\d+\\.\\d+ ", "");
    }

    @Test
    void nothingIsCapturedWithoutAWatcherOfTheStream() {
        WatchLog log = new WatchLog();
        assertFalse(log.watching(WatchLog.FETCHERS));
        LogWatcher watcher = attach(log, WatchLog.MUTATIONS, () -> { });
        assertFalse(log.watching(WatchLog.FETCHERS));
        assertTrue(log.watching(WatchLog.MUTATIONS));
        log.connection(null, "127.0.0.1", 1, 2);
        assertEquals("", drain(watcher));
        log.detach(watcher);
        assertFalse(log.watching(WatchLog.MUTATIONS));
        assertEquals(0, log.watchers());
    }

    @Test
    void linesAreMemcachedsWithTheKeyUrlEncoded() {
        WatchLog log = new WatchLog();
        LogWatcher watcher = attach(log, WatchLog.FETCHERS | WatchLog.MUTATIONS | WatchLog.CONNEVENTS, () -> { });
        log.fetched(KEY, 0, 6, true, 3, 7);
        log.stored(KEY, 0, 3, "stored", "set", -5, 1, 7);
        log.connection(null, "::1", 5000, 8);
        log.connection("normal", "::1", 5000, 8);
        assertEquals("gid=1 type=item_get key=a%3Ab%20c%25 status=found clsid=1 cfd=7 size=3\n"
                + "gid=2 type=item_store key=a%3Ab status=stored cmd=set ttl=4294967291 clsid=1 cfd=7 size=1\n"
                + "gid=3 type=conn_new rip=::1 rport=5000 transport=tcp cfd=8\n"
                + "gid=4 type=conn_close rip=::1 rport=5000 transport=tcp reason=normal cfd=8\n", drain(watcher));
        assertEquals(4, log.sent());
    }

    @Test
    void evictionLinesAreMemcachedsAndOnlyForAnEvictionsWatcher() {
        WatchLog log = new WatchLog();
        LogWatcher fetchers = attach(log, WatchLog.FETCHERS, () -> { });
        log.evicted(KEY, 0, 6, 10, true, 100, 3);
        assertEquals("", drain(fetchers), "not an evictions watcher");
        LogWatcher evictions = attach(log, WatchLog.EVICTIONS, () -> { });
        log.evicted(KEY, 0, 6, 10, true, 100, 3);
        log.evicted(KEY, 0, 1, 0, false, -1, 0);
        assertEquals("gid=1 type=eviction key=a%3Ab%20c%25 fetch=yes ttl=100 la=3 clsid=1 size=10\n"
                + "gid=2 type=eviction key=a fetch=no ttl=-1 la=0 clsid=1 size=0\n", drain(evictions));
        assertEquals("", drain(fetchers));
    }

    @Test
    void aFullQueueSkipsAndSaysHowManyBeforeTheNextLine() {
        WatchLog log = new WatchLog();
        AtomicInteger wakeups = new AtomicInteger();
        LogWatcher watcher = attach(log, WatchLog.FETCHERS, wakeups::incrementAndGet);
        int fits = LogWatcher.BUFFER_BYTES / LogEvent.heapBytes(1, null);
        for (int i = 0; i < fits + 5; i++) {
            log.fetched(KEY, 0, 1, false, 0, 1);
        }
        assertEquals(1, wakeups.get(), "one wakeup until the watcher drains");
        assertEquals(5, log.skipped());
        ByteBuf out = Unpooled.buffer();
        assertTrue(watcher.drainTo(out, 100), "stops at the byte limit, events remain");
        String first = out.toString(StandardCharsets.US_ASCII);
        assertTrue(first.startsWith("skipped=5\nts="), first);
        out.clear();
        assertFalse(watcher.drainTo(out, Integer.MAX_VALUE));
        log.fetched(KEY, 0, 1, false, 0, 1);
        assertEquals(2, wakeups.get());
    }

    /**
     * A watcher nobody drains holds at most {@link LogWatcher#BUFFER_BYTES} of events, counted by
     * their heap estimate: long keys fill it with fewer events than short ones, and once it is
     * full every event is skipped and counted, for it and in log_watcher_skipped.
     */
    @Test
    void aWatcherNobodyDrainsHoldsAtMostItsBufferOfEvents() {
        byte[] longKey = "k".repeat(250).getBytes(StandardCharsets.US_ASCII);
        MemorySegment key = MemorySegment.ofArray(longKey);
        WatchLog log = new WatchLog();
        LogWatcher stalled = attach(log, WatchLog.MUTATIONS, () -> { });
        int offered = 5_000;
        for (int i = 0; i < offered; i++) {
            log.stored(key, 0, longKey.length, "stored", "set", 0, 10, 1);
        }
        int each = LogEvent.heapBytes(longKey.length, null);
        int fits = LogWatcher.BUFFER_BYTES / each;
        assertTrue(fits < offered / 2, "the bound, not the offers, stopped the queue: " + fits);
        assertEquals(offered - fits, log.skipped());
        assertTrue(stalled.hasRoom(LogWatcher.BUFFER_BYTES - fits * each), "the rest of the buffer is free");
        assertFalse(stalled.hasRoom(LogWatcher.BUFFER_BYTES - fits * each + 1));

        ByteBuf out = Unpooled.buffer();
        assertFalse(stalled.drainTo(out, Integer.MAX_VALUE));
        String[] lines = out.toString(StandardCharsets.US_ASCII).split("\n");
        out.release();
        assertEquals("skipped=" + (offered - fits), lines[0]);
        assertEquals(fits, lines.length - 1, "one line per queued event");
        assertTrue(lines[1].contains(" key=" + "k".repeat(250) + " status=stored cmd=set "), lines[1]);
        assertEquals(fits, log.sent());
        assertTrue(stalled.hasRoom(LogWatcher.BUFFER_BYTES), "draining frees the whole buffer");
    }

    @Test
    void aSkippedEventStillReachesAWatcherWithRoom() {
        WatchLog log = new WatchLog();
        LogWatcher stalled = attach(log, WatchLog.FETCHERS, () -> { });
        int fits = LogWatcher.BUFFER_BYTES / LogEvent.heapBytes(1, null);
        for (int i = 0; i < fits; i++) {
            log.fetched(KEY, 0, 1, false, 0, 1);
        }
        LogWatcher reading = attach(log, WatchLog.FETCHERS, () -> { });
        log.fetched(KEY, 0, 1, true, 3, 1);
        assertEquals(1, log.skipped(), "skipped by the full watcher only");
        assertEquals("gid=" + (fits + 1) + " type=item_get key=a status=found clsid=1 cfd=1 size=3\n", drain(reading));
        assertTrue(drain(stalled).startsWith("skipped=1\n"));
    }

    @Test
    void atMostTwentyWatchersAndADetachFreesASlot() {
        WatchLog log = new WatchLog();
        LogWatcher first = null;
        for (int i = 0; i < WatchLog.MAX_WATCHERS; i++) {
            LogWatcher w = attach(log, WatchLog.FETCHERS, () -> { });
            first = first == null ? w : first;
        }
        assertFalse(log.reserve());
        assertEquals(20, log.watchers());
        log.detach(first);
        log.detach(first); // a second detach of the same watcher frees nothing more
        assertEquals(19, log.watchers());
        assertTrue(log.reserve());
        assertFalse(log.reserve());
    }

    /** memcached's reply past its limit; the connection stays a plain one (checked against memcached in WatchTest). */
    @Test
    void watchPastTheLimitIsWatcherTooManyAndTheConnectionCarriesOn() {
        TestServer server = new TestServer(TestServer.defaultSettings());
        for (int i = 0; i < WatchLog.MAX_WATCHERS; i++) {
            attach(server.watchLog, WatchLog.FETCHERS, () -> { });
        }
        try (var store = dev.mnemo.store.Store.builder().open();
             Client client = new Client(new TextProtocol(store, server, 1), io.netty.buffer.UnpooledByteBufAllocator.DEFAULT)) {
            assertEquals("ERROR\r\n", client.send("watch deletions\r\n"), "streams are checked first");
            assertEquals("WATCHER_TOO_MANY log watcher limit reached\r\nVERSION " + TextProtocol.VERSION + "\r\n",
                    client.send("watch fetchers\r\nversion\r\n"));
            assertEquals(0, client.protocol.watchedStreams());
            assertEquals(WatchLog.MAX_WATCHERS, server.watchLog.watchers());
        }
    }

    @Test
    void statsSettingsShowsTheWatcherBufferAsMemcached() {
        TestServer server = new TestServer(TestServer.defaultSettings());
        try (var store = dev.mnemo.store.Store.builder().open();
             Client client = new Client(new TextProtocol(store, server, 1), io.netty.buffer.UnpooledByteBufAllocator.DEFAULT)) {
            String settings = client.send("stats settings\r\n");
            assertTrue(settings.contains("STAT watcher_logbuf_size 262144\r\n"), settings);
        }
    }

    @Test
    void watchIsAnUnknownCommandWithoutAConnection() {
        TestServer server = new TestServer(TestServer.defaultSettings());
        try (var store = dev.mnemo.store.Store.builder().open();
             Client udp = new Client(new TextProtocol(store, server, Protocol.NO_CONNECTION), io.netty.buffer.UnpooledByteBufAllocator.DEFAULT)) {
            assertEquals("ERROR\r\n", udp.send("watch\r\n"));
        }
    }
}
