package dev.mnemo.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What "stats slabs", "stats items" and "stats settings" state about small items, the same on
 * Mnemo and on memcached 1.6.18 (run with -Dmnemo.it.memcached=true): used_chunks and
 * items:1:number count the items, mem_requested grows with the bytes stored and falls when an
 * item is deleted. Mnemo's own properties (total_malloced, reclaiming) are in the protocol
 * module's SlabStatsTest, on a manual clock.
 */
@Timeout(30)
class SlabStatsTest {

    private static Map<String, String> stats(RawClient client, String group) {
        client.send("stats " + group + "\r\n");
        Map<String, String> values = new LinkedHashMap<>();
        for (String line = client.readLine(); !line.equals("END\r\n"); line = client.readLine()) {
            String[] parts = line.trim().split(" ");
            values.put(parts[1], parts[2]);
        }
        return values;
    }

    private static long number(RawClient client, String group, String name) {
        return Long.parseLong(stats(client, group).getOrDefault(name, "0"));
    }

    @Test
    void usedChunksAndMemRequestedFollowTheItems() {
        try (RunningServer server = RunningServer.start(); RawClient client = server.connect()) {
            long used = number(client, "slabs", "1:used_chunks");
            long requested = number(client, "items", "items:1:mem_requested");
            client.exchange("set s1 0 0 5\r\nhello\r\nset s2 0 0 5\r\nhello\r\nset s3 0 0 5\r\nhello\r\n",
                    "STORED\r\nSTORED\r\nSTORED\r\n");
            assertEquals(used + 3, number(client, "slabs", "1:used_chunks"));
            assertEquals(number(client, "slabs", "1:used_chunks"), number(client, "items", "items:1:number"));
            long three = number(client, "items", "items:1:mem_requested");
            assertTrue(three >= requested + 3 * (2 + 5), three + " after " + requested);
            client.exchange("delete s2\r\n", "DELETED\r\n");
            assertEquals(used + 2, number(client, "slabs", "1:used_chunks"));
            long two = number(client, "items", "items:1:mem_requested");
            assertEquals(three - two, (three - requested) / 3, "one item's bytes less");
            assertTrue(number(client, "slabs", "total_malloced") > 0);
            assertEquals("1", stats(client, "slabs").get("active_slabs"));
        }
    }

    @Test
    void settingsShowTheCrawlerAndDumpsOn() {
        try (RunningServer server = RunningServer.start(); RawClient client = server.connect()) {
            Map<String, String> settings = stats(client, "settings");
            assertEquals("yes", settings.get("lru_crawler"));
            assertEquals("yes", settings.get("dump_enabled"));
        }
    }
}
