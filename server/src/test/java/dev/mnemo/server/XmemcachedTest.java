package dev.mnemo.server;

import net.rubyeye.xmemcached.GetsResponse;
import net.rubyeye.xmemcached.MemcachedClient;
import net.rubyeye.xmemcached.XMemcachedClientBuilder;
import net.rubyeye.xmemcached.exception.MemcachedClientException;
import net.rubyeye.xmemcached.exception.MemcachedServerException;
import net.rubyeye.xmemcached.transcoders.SerializingTranscoder;
import net.rubyeye.xmemcached.utils.AddrUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** Every text-protocol command through xmemcached (com.googlecode.xmemcached), a real third-party client. */
@Timeout(60)
class XmemcachedTest {

    private static RunningServer server;
    private static MemcachedClient client;

    @BeforeAll
    static void start() throws IOException {
        server = RunningServer.start("-t", "2");
        XMemcachedClientBuilder builder = new XMemcachedClientBuilder(AddrUtil.getAddresses("127.0.0.1:" + server.port()));
        builder.setOpTimeout(5000);
        builder.setConnectTimeout(5000);
        builder.setTranscoder(new SerializingTranscoder(4 * 1024 * 1024)); // let the server, not the client, refuse big values
        client = builder.build();
    }

    @AfterAll
    static void stop() throws IOException {
        client.shutdown();
        server.close();
    }

    @Test
    void setAndGet() throws Exception {
        assertTrue(client.set("xm-set", 0, "hello"));
        assertEquals("hello", client.get("xm-set"));
        assertNull(client.get("xm-missing"));
    }

    @Test
    void addOnlyWhenMissingReplaceOnlyWhenPresent() throws Exception {
        assertTrue(client.add("xm-add", 0, "first"));
        assertFalse(client.add("xm-add", 0, "second"));
        assertEquals("first", client.get("xm-add"));
        assertFalse(client.replace("xm-replace", 0, "x"));
        assertTrue(client.replace("xm-add", 0, "third"));
        assertEquals("third", client.get("xm-add"));
    }

    @Test
    void appendAndPrepend() throws Exception {
        assertTrue(client.set("xm-ap", 0, "mid"));
        assertTrue(client.append("xm-ap", "-end"));
        assertTrue(client.prepend("xm-ap", "start-"));
        assertEquals("start-mid-end", client.get("xm-ap"));
        assertFalse(client.append("xm-ap-missing", "x"));
        assertFalse(client.prepend("xm-ap-missing", "x"));
    }

    @Test
    void getsAndCas() throws Exception {
        assertTrue(client.set("xm-cas", 0, "v1"));
        GetsResponse<String> read = client.gets("xm-cas");
        assertEquals("v1", read.getValue());
        assertTrue(client.cas("xm-cas", 0, "v2", read.getCas()));
        assertFalse(client.cas("xm-cas", 0, "v3", read.getCas()));
        assertEquals("v2", client.get("xm-cas"));
        assertFalse(client.cas("xm-cas-missing", 0, "x", 1));
        assertNull(client.get("xm-cas-missing"));
    }

    @Test
    void incrAndDecr() throws Exception {
        assertTrue(client.set("xm-n", 0, "10"));
        assertEquals(15, client.incr("xm-n", 5));
        assertEquals(12, client.decr("xm-n", 3));
        assertEquals(0, client.decr("xm-n", 100));
        assertEquals(7, client.incr("xm-n-missing", 1, 7));
        assertEquals(8, client.incr("xm-n-missing", 1, 7));
    }

    @Test
    void incrOfNonNumericValueIsAClientError() throws Exception {
        assertTrue(client.set("xm-text", 0, "abc"));
        MemcachedClientException error = assertThrows(MemcachedClientException.class, () -> client.incr("xm-text", 1));
        assertTrue(error.getMessage().contains("cannot increment or decrement non-numeric value"), error.getMessage());
        assertEquals("abc", client.get("xm-text"));
    }

    @Test
    void touch() throws Exception {
        // xmemcached sends gat only in its binary protocol; RawProtocolTest covers text gat/gats
        assertTrue(client.set("xm-touch", 0, "t"));
        assertTrue(client.touch("xm-touch", 100));
        assertFalse(client.touch("xm-touch-missing", 100));
        assertEquals("t", client.get("xm-touch"));
    }

    @Test
    void delete() throws Exception {
        assertTrue(client.set("xm-del", 0, "d"));
        assertTrue(client.delete("xm-del"));
        assertFalse(client.delete("xm-del"));
        assertNull(client.get("xm-del"));
    }

    @Test
    void multiGetOfHundredKeys() throws Exception {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            keys.add("xm-multi-" + i);
            assertTrue(client.set("xm-multi-" + i, 0, "value-" + i));
        }
        keys.add("xm-multi-missing");
        Map<String, String> values = client.get(keys);
        assertEquals(100, values.size());
        for (int i = 0; i < 100; i++) {
            assertEquals("value-" + i, values.get("xm-multi-" + i));
        }
    }

    @Test
    void emptyValue() throws Exception {
        assertTrue(client.set("xm-empty", 0, new byte[0]));
        assertArrayEquals(new byte[0], client.get("xm-empty"));
    }

    @Test
    void valueOfExactlyMaxItemSizeIsStored() throws Exception {
        // Mnemo's -I bounds the value; memcached's bounds the whole item, so it refuses this value
        assumeFalse(RunningServer.againstMemcached());
        byte[] value = new byte[1024 * 1024];
        new Random(3).nextBytes(value);
        assertTrue(client.set("xm-exact", 0, value));
        assertArrayEquals(value, client.get("xm-exact"));
    }

    @Test
    void valueOverMaxItemSizeFails() throws Exception {
        byte[] value = new byte[1024 * 1024 + 1];
        new Random(7).nextBytes(value); // incompressible: xmemcached compresses large values
        MemcachedServerException error = assertThrows(MemcachedServerException.class, () -> client.set("xm-big", 0, value));
        assertTrue(error.getMessage().contains("object too large for cache"), error.getMessage());
        assertNull(client.get("xm-big"));
    }

    @Test
    void flushAll() throws Exception {
        assertTrue(client.set("xm-flush", 0, "f"));
        client.flushAll();
        assertNull(client.get("xm-flush"));
    }
}
