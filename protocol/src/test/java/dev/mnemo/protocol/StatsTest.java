package dev.mnemo.protocol;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** "stats" groups: memcached 1.6.18's field names in its order (test resources), honest values. */
class StatsTest extends ProtocolTestBase {

    /** @return the "STAT name" lines and END of a captured memcached reply, comments dropped */
    private static List<String> captured(String group) throws IOException {
        try (InputStream in = StatsTest.class.getResourceAsStream("stats-" + group + ".txt")) {
            assertNotNull(in, group);
            return Arrays.stream(new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n"))
                    .filter(l -> !l.startsWith("#") && !l.isEmpty()).toList();
        }
    }

    /** @return the reply's lines with each STAT line cut to "STAT name" */
    private static List<String> names(String reply) {
        assertTrue(reply.endsWith("END\r\n"), reply);
        return Arrays.stream(reply.split("\r\n"))
                .map(l -> l.startsWith("STAT ") ? l.substring(0, l.indexOf(' ', 5)) : l).toList();
    }

    private static Map<String, String> values(String reply) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String l : reply.split("\r\n")) {
            if (l.startsWith("STAT ")) {
                int space = l.indexOf(' ', 5);
                values.put(l.substring(5, space), l.substring(space + 1));
            }
        }
        return values;
    }

    @Test
    void generalStatsHaveMemcachedsNamesInItsOrder() throws IOException {
        assertEquals(captured("general"), names(send("stats\r\n")));
        assertEquals(captured("general"), names(send("stats  \r\n")));
    }

    @Test
    void generalStatsCountCommandsAndShowTheServersFigures() {
        send("set a 0 0 1\r\nx\r\nset b 0 0 2\r\nyz\r\nget a\r\nget zz\r\ndelete b\r\n");
        Map<String, String> v = values(send("stats\r\n"));
        assertEquals(String.valueOf(ProcessHandle.current().pid()), v.get("pid"));
        assertEquals("42", v.get("uptime"));
        assertEquals(String.valueOf(START), v.get("time"));
        assertEquals(TextProtocol.VERSION, v.get("version"));
        assertTrue(v.get("rusage_user").matches("\\d+\\.\\d{6}"), v.get("rusage_user"));
        assertTrue(v.get("rusage_system").matches("\\d+\\.\\d{6}"), v.get("rusage_system"));
        assertEquals("1024", v.get("max_connections"));
        assertEquals("3", v.get("curr_connections"));
        assertEquals("7", v.get("total_connections"));
        assertEquals("1", v.get("rejected_connections"));
        assertEquals("2", v.get("cmd_set"));
        assertEquals("2", v.get("cmd_get"));
        assertEquals("1", v.get("get_hits"));
        assertEquals("1", v.get("get_misses"));
        assertEquals("1", v.get("delete_hits"));
        assertEquals("1", v.get("curr_items"));
        assertEquals("2", v.get("total_items"));
        assertEquals("1000", v.get("bytes_read"));
        assertEquals("2000", v.get("bytes_written"));
        assertEquals(String.valueOf(64L << 20), v.get("limit_maxbytes"));
        assertEquals("4", v.get("threads"));
        assertEquals("5", v.get("conn_yields"));
    }

    @Test
    void statsResetZeroesCounters() {
        send("set a 0 0 1\r\nx\r\nget a\r\n");
        assertEquals("RESET\r\n", send("stats reset\r\n"));
        Map<String, String> v = values(send("stats\r\n"));
        assertEquals("0", v.get("get_hits"));
        assertEquals("0", v.get("cmd_set"));
        assertEquals("1", v.get("curr_items"));
        assertEquals(1, server.resets, "the server's counters are reset too");
        assertEquals("RESET\r\n", send("stats reset x\r\n"));
    }

    @Test
    void settingsHaveMemcachedsNamesAndOurValues() throws IOException {
        String reply = send("stats settings\r\n");
        assertEquals(captured("settings"), names(reply));
        Map<String, String> v = values(reply);
        assertEquals(String.valueOf(64L << 20), v.get("maxbytes"));
        assertEquals("11211", v.get("tcpport"));
        assertEquals("127.0.0.1", v.get("inter"));
        assertEquals("1048576", v.get("item_size_max"));
        assertEquals("yes", v.get("cas_enabled"));
        assertEquals("no", v.get("shutdown_command"));
        assertEquals("4", v.get("num_threads"));
        assertEquals(captured("settings"), names(send("stats settings x\r\n")));
    }

    @Test
    void itemsShowTheStoreAsSlabClassOne() throws IOException {
        assertEquals("END\r\n", send("stats items\r\n"), "memcached lists no class without items");
        send("set a 0 0 1\r\nx\r\n");
        String reply = send("stats items\r\n");
        assertEquals(captured("items"), names(reply));
        assertEquals("1", values(reply).get("items:1:number"));
    }

    @Test
    void slabsShowTheStoreAsSlabClassOne() throws IOException {
        send("set a 0 0 1\r\nx\r\nget a\r\n");
        String reply = send("stats slabs\r\n");
        assertEquals(captured("slabs"), names(reply));
        Map<String, String> v = values(reply);
        assertEquals("1", v.get("1:get_hits"));
        assertEquals("1", v.get("active_slabs"));
    }

    @Test
    void sizesAreDisabledAsInMemcached() throws IOException {
        assertEquals(captured("sizes"), names(send("stats sizes\r\n")));
        assertEquals("STAT sizes_status disabled\r\nEND\r\n", send("stats sizes extra\r\n"));
    }

    @Test
    void connsListEveryConnection() {
        server.connections.add(new ConnectionInfo(23, "tcp:127.0.0.1:11211", null, "conn_listening", 94));
        server.connections.add(new ConnectionInfo(25, "tcp:127.0.0.1:55280", "tcp:127.0.0.1:11211", "conn_parse_cmd", 0));
        assertEquals("STAT 23:addr tcp:127.0.0.1:11211\r\nSTAT 23:state conn_listening\r\nSTAT 23:secs_since_last_cmd 94\r\n"
                + "STAT 25:addr tcp:127.0.0.1:55280\r\nSTAT 25:listen_addr tcp:127.0.0.1:11211\r\n"
                + "STAT 25:state conn_parse_cmd\r\nSTAT 25:secs_since_last_cmd 0\r\nEND\r\n", send("stats conns\r\n"));
    }

    @Test
    void detailAndUnknownGroupsGetMemcachedsReplies() {
        assertEquals("CLIENT_ERROR usage: stats detail on|off|dump\r\n", send("stats detail\r\n"));
        assertEquals("OK\r\n", send("stats detail on\r\n"));
        assertEquals("OK\r\n", send("stats detail off x\r\n"));
        assertEquals("END\r\n", send("stats detail dump\r\n"));
        assertEquals("CLIENT_ERROR usage: stats detail on|off|dump\r\n", send("stats detail x\r\n"));
        assertEquals("ERROR\r\n", send("stats foo\r\n"));
    }
}
