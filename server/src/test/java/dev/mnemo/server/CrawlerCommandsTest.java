package dev.mnemo.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * memcached's lru_crawler and slabs commands: replies byte for byte, and metadump's key dump.
 * Every expectation not marked Mnemo-only holds for memcached 1.6.18 too (run with
 * -Dmnemo.it.memcached=true).
 */
@Timeout(60)
class CrawlerCommandsTest {

    /** One server for the class: the reply tables also check that nothing a test did leaks into the next. */
    private static final RunningServer server = RunningServer.start("-t", "2");

    @AfterAll
    static void stopTheServer() {
        server.close();
    }

    private static void expectReplies(String... commandsAndReplies) {
        try (RawClient client = server.connect()) {
            for (int i = 0; i < commandsAndReplies.length; i += 2) {
                try {
                    client.exchange(commandsAndReplies[i] + "\r\n", commandsAndReplies[i + 1]);
                } catch (AssertionError e) {
                    throw new AssertionError(commandsAndReplies[i] + ": " + e.getMessage(), e);
                }
            }
        }
    }

    @Test
    void lruCrawlerSubCommandsReplyAsMemcached() {
        expectReplies(
                "lru_crawler", "ERROR\r\n",
                "lru_crawler foo", "ERROR\r\n",
                "lru_crawler tocrawl", "ERROR\r\n",
                "lru_crawler tocrawl 5", "OK\r\n",
                "lru_crawler tocrawl 0", "OK\r\n",
                "lru_crawler tocrawl 4294967296", "OK\r\n",
                "lru_crawler tocrawl x", "CLIENT_ERROR bad command line format\r\n",
                "lru_crawler tocrawl -1", "CLIENT_ERROR bad command line format\r\n",
                "lru_crawler tocrawl 5 noreply", "ERROR\r\n",
                "lru_crawler sleep", "ERROR\r\n",
                "lru_crawler sleep 100", "OK\r\n",
                "lru_crawler sleep 1000000", "OK\r\n",
                "lru_crawler sleep 1000001", "CLIENT_ERROR sleep must be one second or less\r\n",
                "lru_crawler sleep x", "CLIENT_ERROR bad command line format\r\n",
                "lru_crawler sleep -1", "CLIENT_ERROR bad command line format\r\n",
                "lru_crawler enable x", "ERROR\r\n",
                "lru_crawler disable x", "ERROR\r\n",
                "lru_crawler crawl", "ERROR\r\n",
                "lru_crawler crawl 1 x", "ERROR\r\n",
                "lru_crawler crawl 0", "BADCLASS invalid class id\r\n",
                "lru_crawler crawl 64", "BADCLASS invalid class id\r\n",
                "lru_crawler crawl 1,0", "BADCLASS invalid class id\r\n",
                "lru_crawler crawl x", "BADCLASS invalid class id\r\n",
                "lru_crawler crawl 1a", "BADCLASS invalid class id\r\n",
                "lru_crawler crawl all,1", "BADCLASS invalid class id\r\n",
                "lru_crawler crawl hash", "ERROR an unknown error happened\r\n",
                "lru_crawler metadump", "ERROR\r\n",
                "lru_crawler metadump all x", "ERROR\r\n",
                "lru_crawler metadump 99", "BADCLASS invalid class id\r\n",
                "lru_crawler metadump x", "BADCLASS invalid class id\r\n",
                "lru_crawler metadump ALL", "BADCLASS invalid class id\r\n",
                "lru_crawler metadump 1,99", "BADCLASS invalid class id\r\n",
                "lru_crawler metadump hash,1", "BADCLASS invalid class id\r\n",
                "lru_crawler mgdump", "ERROR\r\n",
                // memcached's defaults again: a slow crawler would hold up the other tests' dumps
                "lru_crawler sleep 100", "OK\r\n",
                "lru_crawler tocrawl 0", "OK\r\n");
    }

    @Test
    void lruCrawlerCrawlIsAccepted() {
        try (RawClient client = server.connect()) {
            for (String classes : new String[] {"1,2,3,4", "63", "1,", ",1", "all"}) {
                client.send("lru_crawler crawl " + classes + "\r\n");
                String reply = client.readLine();
                // memcached answers BUSY while its crawler still runs the previous crawl; Mnemo has none
                boolean busy = RunningServer.againstMemcached() && reply.equals("BUSY currently processing crawler request\r\n");
                assertTrue(busy || reply.equals("OK\r\n"), classes + ": " + reply);
            }
        }
    }

    @Test
    void slabsReassignAndAutomoveReplyAsMemcached() {
        expectReplies(
                "slabs", "ERROR\r\n",
                "slabs foo", "ERROR\r\n",
                "slabs reassign", "ERROR\r\n",
                "slabs reassign 1", "ERROR\r\n",
                "slabs reassign 1 2 3", "ERROR\r\n",
                "slabs reassign 1 2 noreply", "ERROR\r\n",
                "slabs reassign x 1", "CLIENT_ERROR bad command line format\r\n",
                "slabs reassign 1 x", "CLIENT_ERROR bad command line format\r\n",
                "slabs reassign 1 1", "SAME src and dst class are identical\r\n",
                "slabs reassign 99 99", "SAME src and dst class are identical\r\n",
                "slabs reassign 99 1", "BADCLASS invalid src or dst class id\r\n",
                "slabs reassign 64 1", "BADCLASS invalid src or dst class id\r\n",
                "slabs reassign 1 -1", "BADCLASS invalid src or dst class id\r\n",
                "slabs reassign -1 1", "BADCLASS invalid src or dst class id\r\n",
                "slabs reassign 1 0", "NOSPARE source class has no spare pages\r\n",
                "slabs reassign 0 1", "NOSPARE source class has no spare pages\r\n",
                "slabs automove", "ERROR\r\n",
                "slabs automove 0", "OK\r\n",
                "slabs automove 1", "OK\r\n",
                "slabs automove 2", "OK\r\n",
                "slabs automove 3", "ERROR\r\n",
                "slabs automove 4294967296", "OK\r\n",
                "slabs automove 1 2 3", "OK\r\n",
                "slabs automove x", "CLIENT_ERROR bad command line format\r\n",
                "slabs automove -1", "CLIENT_ERROR bad command line format\r\n",
                "slabs automove 1 noreply", "",
                "slabs automove 0", "OK\r\n");
    }

    @Test
    void metadumpListsEachLiveKeyInMemcachedsFormat() {
        // the server's time may run a tick behind the system clock (memcached's current_time, Mnemo's CurrentTime)
        long before = System.currentTimeMillis() / 1000 - 1;
        try (RawClient client = server.connect()) {
            client.exchange("set md-plain 5 0 3\r\nbar\r\nset md%20b:c 0 100 1\r\nx\r\nset md-gone 0 0 1\r\nx\r\n"
                            + "delete md-gone\r\nget md-plain\r\n",
                    "STORED\r\nSTORED\r\nSTORED\r\nDELETED\r\nVALUE md-plain 5 3\r\nbar\r\nEND\r\n");
        }
        long after = System.currentTimeMillis() / 1000 + 1;
        for (String which : new String[] {"all", "hash", "1", "1,2"}) {
            List<String> lines = dump("lru_crawler metadump " + which, "END");
            List<String> ours = lines.stream().filter(l -> l.startsWith("key=md")).sorted().toList();
            assertEquals(2, ours.size(), which + ": " + lines);
            String expiring = ours.get(0);
            String plain = ours.get(1);
            assertTrue(plain.matches("key=md-plain exp=-1 la=[0-9]+ cas=[1-9][0-9]* fetch=yes cls=1 size=[0-9]+"), plain);
            assertTrue(expiring.matches("key=md%2520b%3Ac exp=[0-9]+ la=[0-9]+ cas=[1-9][0-9]* fetch=no cls=1 size=[0-9]+"),
                    expiring);
            long exp = number(expiring, "exp=");
            assertTrue(exp >= before + 100 && exp <= after + 100, expiring);
            long la = number(plain, "la=");
            assertTrue(la >= before && la <= after, plain);
            if (!RunningServer.againstMemcached()) {
                assertEquals(24 + "md-plain".length() + 3, number(plain, "size="), "header, key and value");
            }
        }
        assertEquals(List.of(), dump("lru_crawler metadump 2", "END"), "small items are all in class 1");
        assertEquals(List.of(), dump("lru_crawler metadump 63", "END"));
    }

    /** Mnemo only: mgdump came after memcached 1.6.18 (which answers ERROR); newer memcached's format. */
    @Test
    void mgdumpListsKeysAsMgRequests() {
        assumeFalse(RunningServer.againstMemcached(), "memcached 1.6.18 has no mgdump");
        try (RawClient client = server.connect()) {
            client.exchange("set mg-a 0 0 1\r\nx\r\n", "STORED\r\n");
        }
        for (String which : new String[] {"all", "hash", "1"}) {
            List<String> lines = dump("lru_crawler mgdump " + which, "EN");
            assertTrue(lines.contains("mg mg-a"), lines.toString());
            assertTrue(lines.stream().allMatch(l -> l.startsWith("mg ")), lines.toString());
        }
        assertEquals(List.of(), dump("lru_crawler mgdump 5", "EN"));
        expectReplies("lru_crawler mgdump 0", "BADCLASS invalid class id\r\n");
    }

    /**
     * Mnemo only (it depends on the store's size): a dump of many items streams while the
     * client does not read it, other connections are served meanwhile, and every key comes
     * once.
     */
    @Test
    void largeDumpStreamsWithoutStoppingOtherConnections() throws IOException {
        assumeFalse(RunningServer.againstMemcached(), "sized for Mnemo's -m 32");
        int items = 30_000;
        try (RawClient client = server.connect()) {
            StringBuilder sets = new StringBuilder();
            StringBuilder replies = new StringBuilder();
            for (int i = 0; i < items; i++) {
                sets.append("set big-").append(i).append(" 0 0 1 noreply\r\nx\r\n");
            }
            client.exchange(sets.toString(), replies.toString());
        }
        try (Socket dumper = new Socket("127.0.0.1", server.port())) {
            dumper.getOutputStream().write("lru_crawler metadump all\r\n".getBytes(StandardCharsets.US_ASCII));
            dumper.getOutputStream().flush();
            try (RawClient other = server.connect()) {
                other.exchange("set during 0 0 1\r\ny\r\nget during\r\n", "STORED\r\nVALUE during 0 1\r\ny\r\nEND\r\n");
            }
            List<String> lines = readUntil(dumper, "END");
            Set<String> keys = new HashSet<>();
            for (String line : lines) {
                String key = line.substring(4, line.indexOf(' '));
                if (key.startsWith("big-")) {
                    assertTrue(keys.add(key), "once: " + key);
                }
            }
            assertEquals(items, keys.size());
        }
    }

    /** Mnemo only: memcached answers a command pipelined after a dump only when more input comes. */
    @Test
    void aCommandPipelinedAfterADumpIsAnsweredAfterIt() {
        assumeFalse(RunningServer.againstMemcached(), "memcached holds it back");
        try (RawClient client = server.connect()) {
            client.exchange("set pipe-a 0 0 1\r\nx\r\n", "STORED\r\n");
            client.exchange("lru_crawler metadump 5\r\nlru_crawler mgdump 2\r\nget pipe-a\r\n",
                    "END\r\nEN\r\nVALUE pipe-a 0 1\r\nx\r\nEND\r\n");
        }
    }

    private static long number(String line, String field) {
        int at = line.indexOf(field) + field.length();
        int end = line.indexOf(' ', at);
        return Long.parseLong(line.substring(at, end < 0 ? line.length() : end));
    }

    /**
     * Sends a dump command alone on a new connection (memcached hands the connection to its
     * crawler thread and answers a command pipelined after it only when more input arrives).
     * memcached answers BUSY while its crawler still runs a crawl an earlier test started: then
     * this tries again, for up to 10 s. Mnemo never answers BUSY.
     *
     * @return the dump's lines before its end line, terminators stripped
     */
    private static List<String> dump(String command, String endLine) {
        for (int attempt = 0;; attempt++) {
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                List<String> lines = readUntil(socket, endLine);
                if (lines.size() == 1 && lines.get(0).startsWith("BUSY") && attempt < 100) {
                    Thread.sleep(100);
                    continue;
                }
                return lines;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static List<String> readUntil(Socket socket, String endLine) throws IOException {
        socket.setSoTimeout(10_000);
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
        List<String> lines = new ArrayList<>();
        try {
            for (String line = in.readLine(); !line.equals(endLine); line = in.readLine()) {
                lines.add(line);
                if (line.startsWith("BUSY")) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new IOException("after " + lines, e);
        }
        return lines;
    }
}
