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

    private static String drain(LogWatcher watcher) {
        ByteBuf out = Unpooled.buffer();
        watcher.drainTo(out, Integer.MAX_VALUE);
        return out.toString(StandardCharsets.US_ASCII).replaceAll("ts=\\d+\\.\\d+ ", "");
    }

    @Test
    void nothingIsCapturedWithoutAWatcherOfTheStream() {
        WatchLog log = new WatchLog();
        assertFalse(log.watching(WatchLog.FETCHERS));
        LogWatcher watcher = log.attach(WatchLog.MUTATIONS, () -> { });
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
        LogWatcher watcher = log.attach(WatchLog.FETCHERS | WatchLog.MUTATIONS | WatchLog.CONNEVENTS, () -> { });
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
        LogWatcher fetchers = log.attach(WatchLog.FETCHERS, () -> { });
        log.evicted(KEY, 0, 6, 10, true, 100, 3);
        assertEquals("", drain(fetchers), "not an evictions watcher");
        LogWatcher evictions = log.attach(WatchLog.EVICTIONS, () -> { });
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
        LogWatcher watcher = log.attach(WatchLog.FETCHERS, wakeups::incrementAndGet);
        for (int i = 0; i < LogWatcher.CAPACITY + 5; i++) {
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

    @Test
    void watchIsAnUnknownCommandWithoutAConnection() {
        TestServer server = new TestServer(TestServer.defaultSettings());
        try (var store = dev.mnemo.store.Store.builder().open();
             Client udp = new Client(new TextProtocol(store, server, Protocol.NO_CONNECTION), io.netty.buffer.UnpooledByteBufAllocator.DEFAULT)) {
            assertEquals("ERROR\r\n", udp.send("watch\r\n"));
        }
    }
}
