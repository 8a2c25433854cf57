package dev.mnemo.server;

import dev.mnemo.store.DeleteResult;
import dev.mnemo.store.ItemWrite;
import dev.mnemo.store.WriteResult;
import dev.mnemo.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A co-located process ({@link Store#attach}) and network clients of the server that owns the
 * memory file see each other's writes at once, and the server's stats count the co-located
 * operations.
 */
class ColocatedAccessTest {

    @Test
    @Timeout(60)
    void networkAndColocatedClientsSeeEachOthersWritesAndShareStats(@TempDir Path temp) throws Exception {
        Path directory = ColocatedCrashTest.memoryDirectory(temp);
        Path file = directory.resolve("access.mem");
        ServerOptions options = new ServerOptions();
        ServerOptions.commandLine(options).parseArgs("-p", "0", "-m", "16", "-t", "1", "-e", file.toString());
        MnemoServer server = MnemoServer.start(options.settings(), options.storeBuilder().sweepExpiredInBackground(false).open(), 0);
        try (Store attached = Store.attach(file);
             Arena arena = Arena.ofConfined();
             RawClient client = new RawClient(new InetSocketAddress("127.0.0.1", server.port()))) {
            MemorySegment key = arena.allocateFrom("shared", StandardCharsets.US_ASCII);
            MemorySegment value = arena.allocateFrom("from-attached", StandardCharsets.US_ASCII);
            assertEquals(WriteResult.STORED, attached.set(new ItemWrite().key(key, 0, 6).value(value, 0, 13).clientFlags(42)));
            client.exchange("get shared\r\n", "VALUE shared 42 13\r\nfrom-attached\r\nEND\r\n");

            client.exchange("set shared 7 0 12\r\nfrom-network\r\nincr n 1\r\n", "STORED\r\nNOT_FOUND\r\n");
            AtomicReference<String> seen = new AtomicReference<>();
            assertTrue(attached.get(key, 0, 6, item -> seen.set(item.clientFlags() + " " + new String(
                    item.memory().asSlice(item.valueOffset(), item.valueLength()).toArray(ValueLayout.JAVA_BYTE),
                    StandardCharsets.US_ASCII))));
            assertEquals("7 from-network", seen.get());
            assertEquals(DeleteResult.DELETED, attached.delete(key, 0, 6, 0));
            client.exchange("get shared\r\n", "END\r\n");

            // the server's counters include the co-located get and delete
            client.send("stats\r\n");
            String stats = readStats(client);
            assertTrue(stats.contains("STAT get_hits 2\r\n"), stats);    // network hit + co-located hit
            assertTrue(stats.contains("STAT get_misses 4\r\n"), stats);  // get shared after the delete, 3 sentinels
            assertTrue(stats.contains("STAT incr_misses 1\r\n"), stats);
            assertTrue(stats.contains("STAT delete_hits 1\r\n"), stats); // the co-located delete
            assertTrue(stats.contains("STAT curr_items 0\r\n"), stats);
        } finally {
            server.close();
            ColocatedCrashTest.deleteTree(directory);
        }
    }

    private static String readStats(RawClient client) {
        StringBuilder all = new StringBuilder();
        for (String line = client.readLine(); !line.equals("END\r\n"); line = client.readLine()) {
            all.append(line);
        }
        return all.toString();
    }
}
