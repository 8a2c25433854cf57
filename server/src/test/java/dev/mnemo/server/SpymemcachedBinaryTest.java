package dev.mnemo.server;

import net.spy.memcached.CASResponse;
import net.spy.memcached.CASValue;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.internal.OperationFuture;
import org.junit.jupiter.api.Test;

import java.net.SocketAddress;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every binary-protocol command spymemcached (net.spy:spymemcached) sends, with its binary
 * connection factory: the same server port as the text protocol, told apart by the first byte.
 */
class SpymemcachedBinaryTest extends SpymemcachedTestBase {

    @Override
    ConnectionFactoryBuilder.Protocol protocol() {
        return ConnectionFactoryBuilder.Protocol.BINARY;
    }

    @Test
    void casConflicts() throws Exception {
        assertTrue(done(client.set("spyb-cas", 0, "v1")));
        CASValue<Object> read = client.gets("spyb-cas");
        assertEquals("v1", read.getValue());
        assertEquals(CASResponse.OK, client.cas("spyb-cas", read.getCas(), "v2"));
        assertEquals(CASResponse.EXISTS, client.cas("spyb-cas", read.getCas(), "v3"));
        assertEquals("v2", client.get("spyb-cas"));
        assertEquals(CASResponse.NOT_FOUND, client.cas("spyb-cas-missing", 1, "x"));
        CASValue<Object> again = client.gets("spyb-cas");
        assertTrue(done(client.append(again.getCas(), "spyb-cas", "+")));
        assertFalse(done(client.append(again.getCas(), "spyb-cas", "+")));
        assertEquals("v2+", client.get("spyb-cas"));
    }

    @Test
    void incrAndDecrWithInitialValue() throws Exception {
        assertTrue(done(client.set("spyb-n", 0, "10")));
        assertEquals(15, client.incr("spyb-n", 5));
        assertEquals(12, client.decr("spyb-n", 3));
        assertEquals(0, client.decr("spyb-n", 100));
        assertEquals(-1, client.incr("spyb-n-missing", 1));
        assertNull(client.get("spyb-n-missing"));
        assertEquals(7, client.incr("spyb-n-default", 1, 7));
        assertEquals(8, client.incr("spyb-n-default", 1, 7));
        assertEquals(20, client.decr("spyb-n-decr", 1, 20, 100));
        assertEquals("20", client.get("spyb-n-decr"));
    }

    @Test
    void incrOfNonNumericValueFailsWithMemcachedsText() throws Exception {
        assertTrue(done(client.set("spyb-text", 0, "abc")));
        OperationFuture<Long> incr = client.asyncIncr("spyb-text", 1);
        assertEquals(-1L, done(incr));
        assertEquals("Non-numeric server-side value for incr or decr", incr.getStatus().getMessage());
        assertEquals("abc", client.get("spyb-text"));
    }

    @Test
    void touchAndGetAndTouch() throws Exception {
        assertTrue(done(client.set("spyb-touch", 0, "t")));
        assertTrue(done(client.touch("spyb-touch", 100)));
        assertFalse(done(client.touch("spyb-touch-missing", 100)));
        CASValue<Object> touched = client.getAndTouch("spyb-touch", 200);
        assertEquals("t", touched.getValue());
        assertNull(client.getAndTouch("spyb-touch-missing", 200));
    }

    @Test
    void deleteWithCas() throws Exception {
        assertTrue(done(client.set("spyb-del-cas", 0, "d")));
        long cas = client.gets("spyb-del-cas").getCas();
        assertFalse(done(client.delete("spyb-del-cas", cas + 1)));
        assertTrue(done(client.delete("spyb-del-cas", cas)));
    }

    @Test
    void valueOverMaxItemSizeFailsWithMemcachedsTextAndTheConnectionGoesOn() throws Exception {
        byte[] value = new byte[2 * 1024 * 1024];
        new Random(42).nextBytes(value); // incompressible: spymemcached compresses large values
        assertTrue(done(client.set("spyb-big", 0, "small")));
        OperationFuture<Boolean> set = client.set("spyb-big", 0, value);
        assertFalse(done(set));
        assertEquals("Too large.", set.getStatus().getMessage());
        assertNull(client.get("spyb-big"));
        assertTrue(done(client.set("spyb-after", 0, "ok")));
        assertArrayEquals("ok".getBytes(), ((String) client.get("spyb-after")).getBytes());
    }

    @Test
    void statsVersionAndFlush() throws Exception {
        Map<SocketAddress, Map<String, String>> stats = client.getStats();
        Map<String, String> general = stats.values().iterator().next();
        assertTrue(general.containsKey("curr_items") && general.containsKey("get_hits"), general.toString());
        assertTrue(client.getVersions().values().iterator().next().startsWith("1.6."));
        assertTrue(done(client.set("spyb-flush", 0, "f")));
        assertTrue(done(client.flush()));
        assertNull(client.get("spyb-flush"));
    }
}
