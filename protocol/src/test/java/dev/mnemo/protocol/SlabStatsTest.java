package dev.mnemo.protocol;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The properties memcached's "stats slabs" and "stats items" numbers state, held by Mnemo's
 * mapping of segments onto slab class 1 (docs/STATS.md): used_chunks counts the items,
 * mem_requested follows the bytes stored, total_malloced does not grow while expired items are
 * replaced by new ones of the same size.
 */
class SlabStatsTest extends ProtocolTestBase {

    private Map<String, Long> stats(String group) {
        Map<String, Long> values = new LinkedHashMap<>();
        for (String l : send("stats " + group + "\r\n").split("\r\n")) {
            if (l.startsWith("STAT ")) {
                int space = l.indexOf(' ', 5);
                values.put(l.substring(5, space), Long.parseLong(l.substring(space + 1)));
            }
        }
        return values;
    }

    private long memRequested() {
        return stats("items").getOrDefault("items:1:mem_requested", 0L);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void usedChunksCountTheItemsStored() {
        assertEquals(0, stats("slabs").get("1:used_chunks"));
        send("set a 0 0 1\r\nx\r\nset b 0 0 2\r\nxy\r\nset c 0 0 3\r\nxyz\r\nset a 0 0 4\r\nwxyz\r\n");
        Map<String, Long> slabs = stats("slabs");
        assertEquals(3, slabs.get("1:used_chunks"), "a replaced item is one chunk");
        assertEquals(slabs.get("1:total_chunks") - 3, slabs.get("1:free_chunks"));
        assertEquals(slabs.get("1:total_pages") * slabs.get("1:chunks_per_page"), slabs.get("1:total_chunks"));
        long chunkSize = slabs.get("1:chunk_size");
        assertTrue(chunkSize * 3 >= memRequested() && chunkSize * 3 < memRequested() + 3, "chunk_size is the mean item size");
        send("delete b\r\n");
        assertEquals(2, stats("slabs").get("1:used_chunks"));
        assertEquals(stats("items").get("items:1:number"), stats("slabs").get("1:used_chunks"));
    }

    @Test
    void memRequestedGrowsWithStoredBytesAndFallsWhenItemsGo() {
        assertEquals(0, memRequested());
        send("set a 0 0 10\r\n0123456789\r\n");
        long one = memRequested();
        assertTrue(one > 10);
        send("set b 0 0 1000\r\n" + "v".repeat(1000) + "\r\n");
        long two = memRequested();
        assertEquals(one + 1000 + (one - 10), two, "one more item with a 1,000-byte value and a 1-byte key");
        send("delete b\r\n");
        assertEquals(one, memRequested(), "falls when an item is deleted");
        send("set c 0 10 1000\r\n" + "v".repeat(1000) + "\r\n");
        assertEquals(two, memRequested());
        clock.advance(10);
        assertEquals("END\r\n", send("get c\r\n"));
        assertEquals(one, memRequested(), "falls when an expired item is reclaimed");
        for (int i = 0; i < 5_000; i++) {
            store.set(bytes("e" + i), bytes("v".repeat(1000)), Duration.ofSeconds(10));
        }
        assertTrue(memRequested() > one + 5_000 * 1000L);
        clock.advance(10);
        store.sweepExpired(Integer.MAX_VALUE);
        assertTrue(memRequested() < one + 1_100 * 1000L,
                "falls when the sweep reclaims expired items (those in open segments wait): " + memRequested());
    }

    @Test
    void totalMallocedStaysFlatWhileExpiredItemsAreReplaced() {
        long segment = store.stats().segmentSize();
        long first = 0;
        long second = 0;
        for (int round = 0; round < 8; round++) {
            for (int i = 0; i < 5_000; i++) {
                store.set(bytes("r" + round + "-" + i), bytes("v".repeat(1000)), Duration.ofSeconds(10));
            }
            long malloced = stats("slabs").get("total_malloced");
            if (round == 0) {
                first = malloced;
                assertTrue(first >= 5_000 * 1000L, "holds the first round: " + first);
            } else if (round == 1) {
                // the segment open at the end of a round holds both rounds' items: one more at most
                second = malloced;
                assertTrue(second <= first + segment, "round 1: " + second + " > " + first + " + " + segment);
            } else {
                assertEquals(second, malloced, "round " + round);
            }
            clock.advance(10);
        }
        assertEquals(0, store.stats().evictions(), "expired memory was reused, nothing evicted");
    }
}
