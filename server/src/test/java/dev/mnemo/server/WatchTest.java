package dev.mnemo.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "watch": the connection becomes a log stream in memcached 1.6.18's line format (run with
 * -Dmnemo.it.memcached=true to check the expectations against memcached). Lines are compared
 * with their ts, gid and cfd (which differ by run) checked for shape and cut out.
 */
class WatchTest {

    private static final Pattern HEAD = Pattern.compile("^ts=\\d+\\.\\d{1,6} gid=(\\d+) (.*)$");
    /** memcached's line for entries that did not fit a watcher's buffer (logger.c). */
    private static final Pattern SKIPPED = Pattern.compile("skipped=\\d+");

    private RunningServer server;

    @BeforeEach
    void start() {
        server = RunningServer.start("-t", "2");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /**
     * Opens a watcher of these streams. Its OK means it is attached: memcached's logger sets the
     * stream flags inside the watch command, before the OK (memcached's own t/watcher.t relies on it).
     */
    private RawClient watch(String streams) {
        RawClient watcher = server.connect();
        watcher.send("watch" + streams + "\r\n").expect("OK\r\n");
        return watcher;
    }

    /**
     * @return the next log line without ts and gid, cfd=N made cfd=?; asserts the gid rises. A
     *         {@code skipped=N} line (the watcher fell behind and N entries did not fit its buffer,
     *         as memcached's logger says it) is passed over: a test that needs every entry sees
     *         the gap as a missing line.
     */
    private static String line(RawClient watcher, long[] lastGid) {
        String text;
        do {
            text = rawLine(watcher);
        } while (SKIPPED.matcher(text).matches());
        Matcher m = HEAD.matcher(text);
        assertTrue(m.matches(), text);
        long gid = Long.parseLong(m.group(1));
        assertTrue(gid > lastGid[0], "gid " + gid + " after " + lastGid[0]);
        lastGid[0] = gid;
        return m.group(2).replaceAll("cfd=\\d+", "cfd=?");
    }

    private static String rawLine(RawClient watcher) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            InputStream in = watcher.socket().getInputStream();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                assertTrue(b >= 0, "the watcher was closed");
                line.write(b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    @Test
    void fetchersLogEveryGetKey() throws InterruptedException {
        try (RawClient client = server.connect()) {
            client.send("set w:1 0 0 1\r\nx\r\n").expect("STORED\r\n");
            try (RawClient watcher = watch(" fetchers")) {
                client.send("get w:1 no/key\r\n").expect("VALUE w:1 0 1\r\nx\r\nEND\r\n");
                long[] gid = {0};
                assertEquals("type=item_get key=w%3A1 status=found clsid=1 cfd=? size=1", line(watcher, gid));
                assertEquals("type=item_get key=no%2Fkey status=not_found clsid=0 cfd=? size=0", line(watcher, gid));
            }
        }
    }

    @Test
    void watchWithoutAStreamIsFetchers() throws InterruptedException {
        try (RawClient client = server.connect(); RawClient watcher = watch("")) {
            client.send("gets a~b.c-d_e\r\n").expect("END\r\n");
            assertEquals("type=item_get key=a~b.c-d_e status=not_found clsid=0 cfd=? size=0", line(watcher, new long[1]));
        }
    }

    @Test
    void mutationsLogEveryStorageCommand() throws InterruptedException {
        try (RawClient client = server.connect(); RawClient watcher = watch(" mutations")) {
            client.send("set m:1 0 100 1\r\n1\r\nadd m:1 0 0 1\r\n1\r\ncas m:1 0 0 1 999999\r\n1\r\nappend m:1 0 0 1\r\n2\r\n")
                    .expect("STORED\r\nNOT_STORED\r\nEXISTS\r\nSTORED\r\n");
            long[] gid = {0};
            assertEquals("type=item_store key=m%3A1 status=stored cmd=set ttl=100 clsid=1 cfd=? size=1", line(watcher, gid));
            assertEquals("type=item_store key=m%3A1 status=not_stored cmd=add ttl=0 clsid=1 cfd=? size=1", line(watcher, gid));
            assertEquals("type=item_store key=m%3A1 status=exists cmd=cas ttl=0 clsid=1 cfd=? size=1", line(watcher, gid));
            String append = line(watcher, gid);
            // memcached logs the joined item's size; Mnemo the appended data's (README "Migrating")
            assertTrue(append.matches("type=item_store key=m%3A1 status=stored cmd=append ttl=\\d+ clsid=1 cfd=\\? size=[12]"),
                    append);
        }
    }

    @Test
    void conneventsLogOpenAndClose() throws InterruptedException {
        try (RawClient watcher = watch(" connevents")) {
            int port;
            try (RawClient client = server.connect()) {
                port = client.socket().getLocalPort();
                client.send("version\r\n").readLine();
            }
            long[] gid = {0};
            assertEquals("type=conn_new rip=127.0.0.1 rport=" + port + " transport=tcp cfd=?", lineOf(watcher, gid, port));
            assertEquals("type=conn_close rip=127.0.0.1 rport=" + port + " transport=tcp reason=normal cfd=?",
                    lineOf(watcher, gid, port));
        }
    }

    /**
     * @return the next connevents line of the client at {@code port}, skipping other
     *         connections' (a busy memcached may log RunningServer's readiness probe late)
     */
    private static String lineOf(RawClient watcher, long[] gid, int port) {
        while (true) {
            String line = line(watcher, gid);
            if (line.contains(" rport=" + port + " ")) {
                return line;
            }
            assertTrue(line.matches("type=conn_(new|close) rip=127\\.0\\.0\\.1 rport=\\d+ .*"), line);
        }
    }

    private static final Pattern EVICTION =
            Pattern.compile("type=eviction key=(ev\\d+) fetch=(yes|no) ttl=(-1|\\d+) la=(\\d+) clsid=(\\d+) size=(\\d+)");

    /**
     * "watch evictions" in a small cache filled past its memory: each line names a key that was
     * stored and is now a miss, with its value size, whether it was read, its TTL left (-1 for
     * none) and seconds since its last access. memcached may drop lines (log_worker_dropped), so
     * the test reads a few hundred, not one per eviction.
     */
    @Test
    void evictionsLogEachEvictedItem() throws InterruptedException {
        server.close();
        server = RunningServer.start("-m", "5");
        String value = "e".repeat(1000);
        int stored = 8000;
        try (RawClient client = server.connect(); RawClient watcher = watch(" evictions")) {
            StringBuilder sets = new StringBuilder();
            for (int i = 0; i < stored; i++) {
                sets.append("set ev").append(i).append(" 0 ").append(i % 2 == 0 ? 500 : 0).append(" 1000 noreply\r\n")
                        .append(value).append("\r\n");
                if (i % 7 == 0) { // read once: fetch=yes when evicted
                    client.send(sets.append("get ev").append(i).append("\r\n").toString())
                            .expect("VALUE ev" + i + " 0 1000\r\n" + value + "\r\nEND\r\n");
                    sets.setLength(0);
                }
            }
            client.send(sets.append("mn\r\n").toString()).expect("MN\r\n");
            long[] gid = {0};
            for (int n = 0; n < 300; n++) {
                String line = line(watcher, gid);
                Matcher m = EVICTION.matcher(line);
                assertTrue(m.matches(), line);
                int i = Integer.parseInt(m.group(1).substring(2));
                assertTrue(i < stored, line);
                assertEquals(i % 7 == 0 ? "yes" : "no", m.group(2), line);
                long ttl = Long.parseLong(m.group(3));
                assertTrue(i % 2 == 0 ? ttl > 400 && ttl <= 500 : ttl == -1, line);
                assertTrue(Long.parseLong(m.group(4)) < 60, line);
                if (!RunningServer.againstMemcached()) {
                    assertEquals("1", m.group(5), line); // the whole store is slab class 1 (docs/STATS.md)
                }
                assertEquals("1000", m.group(6), line);
                client.send("get " + m.group(1) + "\r\n").expect("END\r\n");
            }
        }
    }

    @Test
    void streamsAsMemcachedAcceptsThem() {
        try (RawClient client = server.connect()) {
            client.send("watch deletions\r\n").expect("ERROR\r\n");
            client.send("watch FETCHERS\r\n").expect("ERROR\r\n");
            client.send("watch fetchers bogus\r\n").expect("ERROR\r\n");
            client.send("watch fetchers mutations evictions connevents rawcmds sysevents proxyreqs\r\n").expect("OK\r\n");
        }
    }

    @Test
    void statsCountWatchersAndLinesSent() {
        try (RawClient client = server.connect(); RawClient watcher = watch(" fetchers")) {
            client.send("get s:1\r\n").expect("END\r\n");
            line(watcher, new long[1]);
            // memcached's logger thread sums these stats on its own schedule: poll, bounded
            long deadline = System.nanoTime() + 5_000_000_000L;
            String stats;
            do {
                client.send("stats\r\n");
                stats = "";
                for (String l = client.readLine(); !l.equals("END\r\n"); l = client.readLine()) {
                    stats += l;
                }
            } while (!stats.matches("(?s).*STAT log_watcher_sent [1-9].*") && System.nanoTime() < deadline);
            assertTrue(stats.contains("STAT log_watchers 1\r\n"), stats);
            assertTrue(stats.matches("(?s).*STAT log_watcher_sent [1-9].*"), stats);
        }
    }

    /** @return "stats"'s log_watchers value */
    private static int logWatchers(RawClient client) {
        client.send("stats\r\n");
        int watchers = -1;
        for (String l = client.readLine(); !l.equals("END\r\n"); l = client.readLine()) {
            if (l.startsWith("STAT log_watchers ")) {
                watchers = Integer.parseInt(l.substring("STAT log_watchers ".length()).trim());
            }
        }
        return watchers;
    }

    /**
     * memcached's 20 watchers at most: the 21st "watch" is answered WATCHER_TOO_MANY and the
     * connection stays a plain one; a watcher that closes frees its slot (memcached's logger
     * notices on its own schedule: poll, bounded).
     */
    @Test
    void twentyWatchersAtMostAndTheNextConnectionCarriesOn() {
        java.util.List<RawClient> watchers = new java.util.ArrayList<>();
        try (RawClient client = server.connect()) {
            for (int i = 0; i < 20; i++) {
                watchers.add(watch(i % 2 == 0 ? "" : " mutations"));
            }
            client.send("watch fetchers\r\n").expect("WATCHER_TOO_MANY log watcher limit reached\r\n");
            client.send("set tm 0 0 1\r\nx\r\nget tm\r\nmn\r\n").expect("STORED\r\nVALUE tm 0 1\r\nx\r\nEND\r\nMN\r\n");
            assertEquals(20, logWatchers(client));
            client.send("watch\r\n").expect("WATCHER_TOO_MANY log watcher limit reached\r\n");

            watchers.remove(0).close();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (logWatchers(client) != 19 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(19, logWatchers(client));
            client.send("watch mutations\r\n").expect("OK\r\n");
            try (RawClient other = server.connect()) {
                other.send("set tm2 0 0 1\r\ny\r\n").expect("STORED\r\n");
                assertEquals("type=item_store key=tm2 status=stored cmd=set ttl=0 clsid=1 cfd=? size=1",
                        line(client, new long[1]), "the connection is now a watcher");
            }
        } finally {
            watchers.forEach(RawClient::close);
        }
    }

    @Test
    void statsSettingsShowsTheWatcherLogBufferSize() {
        try (RawClient client = server.connect()) {
            client.send("stats settings\r\n");
            String settings = "";
            for (String l = client.readLine(); !l.equals("END\r\n"); l = client.readLine()) {
                settings += l;
            }
            assertTrue(settings.contains("STAT watcher_logbuf_size 262144\r\n"), settings);
        }
    }

    @Test
    void metaCommandsLogFetchesAndStores() throws Exception {
        try (RawClient client = server.connect()) {
            try (RawClient watcher = watch(" mutations")) {
                client.send("ms mw 2 T100\r\nhi\r\n").expect("HD\r\n");
                assertEquals("type=item_store key=mw status=stored cmd=set ttl=100 clsid=1 cfd=? size=2", line(watcher, new long[1]));
            }
            try (RawClient watcher = watch(" fetchers")) {
                client.send("mg mw v\r\nmg nomw v\r\n").expect("VA 2\r\nhi\r\nEN\r\n");
                long[] gid = {0};
                assertEquals("type=item_get key=mw status=found clsid=1 cfd=? size=2", line(watcher, gid));
                assertEquals("type=item_get key=nomw status=not_found clsid=0 cfd=? size=0", line(watcher, gid));
            }
        }
    }

    private static byte[] binary(int opcode, String key, byte[] extras, String value) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(24 + extras.length + key.length() + value.length());
        b.put((byte) 0x80).put((byte) opcode).putShort((short) key.length()).put((byte) extras.length).put((byte) 0)
                .putShort((short) 0).putInt(extras.length + key.length() + value.length()).putInt(0).putLong(0)
                .put(extras).put(key.getBytes(StandardCharsets.US_ASCII)).put(value.getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    @Test
    void binaryCommandsLogFetchesAndStores() throws Exception {
        try (RawClient client = server.connect()) {
            try (RawClient watcher = watch(" mutations")) {
                client.socket().getOutputStream().write(binary(1, "bw", new byte[8], "xyz"));
                assertEquals("type=item_store key=bw status=stored cmd=set ttl=0 clsid=1 cfd=? size=3", line(watcher, new long[1]));
            }
            client.socket().getInputStream().readNBytes(24);
            try (RawClient watcher = watch(" fetchers")) {
                client.socket().getOutputStream().write(binary(0, "bw", new byte[0], ""));
                assertEquals("type=item_get key=bw status=found clsid=1 cfd=? size=3", line(watcher, new long[1]));
            }
        }
    }
}
