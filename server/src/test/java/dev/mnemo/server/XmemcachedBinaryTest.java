package dev.mnemo.server;

import net.rubyeye.xmemcached.GetsResponse;
import net.rubyeye.xmemcached.MemcachedClient;
import net.rubyeye.xmemcached.XMemcachedClientBuilder;
import net.rubyeye.xmemcached.command.BinaryCommandFactory;
import net.rubyeye.xmemcached.transcoders.SerializingTranscoder;
import net.rubyeye.xmemcached.utils.AddrUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every binary-protocol command xmemcached (com.googlecode.xmemcached) sends, with its BinaryCommandFactory. */
@Timeout(60)
class XmemcachedBinaryTest {

    private static RunningServer server;
    private static MemcachedClient client;

    @BeforeAll
    static void start() throws IOException {
        server = RunningServer.start("-t", "2");
        XMemcachedClientBuilder builder = new XMemcachedClientBuilder(AddrUtil.getAddresses("127.0.0.1:" + server.port()));
        builder.setCommandFactory(new BinaryCommandFactory());
        builder.setOpTimeout(5000);
        builder.setConnectTimeout(5000);
        builder.setTranscoder(new SerializingTranscoder(4 * 1024 * 1024));
        client = builder.build();
    }

    @AfterAll
    static void stop() throws IOException {
        client.shutdown();
        server.close();
    }

    @Test
    void setAddReplaceAndGet() throws Exception {
        assertTrue(client.set("xmb-set", 0, "hello"));
        assertEquals("hello", client.get("xmb-set"));
        assertNull(client.get("xmb-missing"));
        assertTrue(client.add("xmb-add", 0, "first"));
        assertFalse(client.add("xmb-add", 0, "second"));
        assertFalse(client.replace("xmb-replace", 0, "x"));
        assertTrue(client.replace("xmb-add", 0, "third"));
        assertEquals("third", client.get("xmb-add"));
    }

    @Test
    void quietStorageAndDelete() throws Exception {
        client.setWithNoReply("xmb-q", 0, "quiet");
        client.appendWithNoReply("xmb-q", "-er");
        assertEquals("quiet-er", client.get("xmb-q"));
        client.deleteWithNoReply("xmb-q");
        assertNull(client.get("xmb-q"));
    }

    @Test
    void appendPrependAndDelete() throws Exception {
        assertTrue(client.set("xmb-ap", 0, "mid"));
        assertTrue(client.append("xmb-ap", "-end"));
        assertTrue(client.prepend("xmb-ap", "start-"));
        assertEquals("start-mid-end", client.get("xmb-ap"));
        assertFalse(client.append("xmb-ap-missing", "x"));
        assertTrue(client.delete("xmb-ap"));
        assertFalse(client.delete("xmb-ap"));
    }

    @Test
    void casConflicts() throws Exception {
        assertTrue(client.set("xmb-cas", 0, "v1"));
        GetsResponse<Object> read = client.gets("xmb-cas");
        assertTrue(client.cas("xmb-cas", 0, "v2", read.getCas()));
        assertFalse(client.cas("xmb-cas", 0, "v3", read.getCas()));
        assertEquals("v2", client.get("xmb-cas"));
        assertFalse(client.cas("xmb-cas-missing", 0, "x", 1));
    }

    @Test
    void incrAndDecrWithInitialValue() throws Exception {
        assertEquals(7, client.incr("xmb-n", 5, 7));
        assertEquals(12, client.incr("xmb-n", 5, 7));
        assertEquals(9, client.decr("xmb-n", 3, 0));
        assertEquals(0, client.decr("xmb-n", 100, 0));
        assertEquals(3, client.decr("xmb-n-new", 1, 3));
    }

    @Test
    void touchAndGetAndTouch() throws Exception {
        assertTrue(client.set("xmb-touch", 0, "t"));
        assertTrue(client.touch("xmb-touch", 100));
        assertFalse(client.touch("xmb-touch-missing", 100));
        assertEquals("t", client.getAndTouch("xmb-touch", 200));
        assertNull(client.getAndTouch("xmb-touch-missing", 200));
    }

    @Test
    void quietMultiGetOfHundredKeys() throws Exception {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            keys.add("xmb-multi-" + i);
            assertTrue(client.set("xmb-multi-" + i, 0, "value-" + i));
        }
        keys.add("xmb-multi-missing");
        Map<String, Object> values = client.get(keys);
        assertEquals(100, values.size());
        for (int i = 0; i < 100; i++) {
            assertEquals("value-" + i, values.get("xmb-multi-" + i));
        }
        Map<String, GetsResponse<Object>> withCas = client.gets(keys);
        assertEquals(100, withCas.size());
    }

    @Test
    void statsVersionAndFlush() throws Exception {
        Map<InetSocketAddress, Map<String, String>> stats = client.getStats();
        assertTrue(stats.values().iterator().next().containsKey("curr_connections"));
        assertTrue(client.getVersions().values().iterator().next().startsWith("1.6."));
        assertTrue(client.set("xmb-flush", 0, "f"));
        client.flushAll();
        assertNull(client.get("xmb-flush"));
    }
}
