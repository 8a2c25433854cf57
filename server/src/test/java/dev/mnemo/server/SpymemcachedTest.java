package dev.mnemo.server;

import net.spy.memcached.CASResponse;
import net.spy.memcached.CASValue;
import net.spy.memcached.ConnectionFactoryBuilder;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** Every text-protocol command through spymemcached (net.spy:spymemcached), a real third-party client. */
class SpymemcachedTest extends SpymemcachedTestBase {

    @Override
    ConnectionFactoryBuilder.Protocol protocol() {
        return ConnectionFactoryBuilder.Protocol.TEXT;
    }

    @Test
    void getsAndCas() throws Exception {
        assertTrue(done(client.set("spy-cas", 0, "v1")));
        CASValue<Object> read = client.gets("spy-cas");
        assertEquals("v1", read.getValue());
        assertEquals(CASResponse.OK, client.cas("spy-cas", read.getCas(), "v2"));
        assertEquals(CASResponse.EXISTS, client.cas("spy-cas", read.getCas(), "v3"));
        assertEquals("v2", client.get("spy-cas"));
        assertEquals(CASResponse.NOT_FOUND, client.cas("spy-cas-missing", 1, "x"));
    }

    @Test
    void incrAndDecr() throws Exception {
        assertTrue(done(client.set("spy-n", 0, "10")));
        assertEquals(15, client.incr("spy-n", 5));
        assertEquals(12, client.decr("spy-n", 3));
        assertEquals(0, client.decr("spy-n", 100));
        assertEquals(-1, client.incr("spy-n-missing", 1));
        assertEquals(7, client.incr("spy-n-default", 1, 7));
    }

    @Test
    void incrOfNonNumericValueIsAClientError() throws Exception {
        assertTrue(done(client.set("spy-text", 0, "abc")));
        ExecutionException error = assertThrows(ExecutionException.class, () -> done(client.asyncIncr("spy-text", 1)));
        assertTrue(error.getCause().getMessage().endsWith("CLIENT_ERROR cannot increment or decrement non-numeric value"),
                error.getCause().getMessage());
        assertEquals("abc", client.get("spy-text"));
    }

    @Test
    void touch() throws Exception {
        // spymemcached has no gat in its text protocol; XmemcachedTest covers gat
        assertTrue(done(client.set("spy-touch", 0, "t")));
        assertTrue(done(client.touch("spy-touch", 100)));
        assertFalse(done(client.touch("spy-touch-missing", 100)));
        assertEquals("t", client.get("spy-touch"));
    }

    @Test
    void emptyValue() throws Exception {
        assertTrue(done(client.set("spy-empty", 0, new byte[0])));
        assertArrayEquals(new byte[0], (byte[]) client.get("spy-empty"));
    }

    @Test
    void valueOfExactlyMaxItemSizeIsStored() throws Exception {
        // Mnemo's -I bounds the value; memcached's bounds the whole item, so it refuses this value
        assumeFalse(RunningServer.againstMemcached());
        byte[] value = new byte[1024 * 1024];
        new Random(3).nextBytes(value);
        assertTrue(done(client.set("spy-exact", 0, value)));
        assertArrayEquals(value, (byte[]) client.get("spy-exact"));
    }

    @Test
    void valueOverMaxItemSizeFails() throws Exception {
        byte[] value = new byte[1024 * 1024 + 1];
        new Random(42).nextBytes(value); // incompressible: spymemcached compresses large values
        ExecutionException error = assertThrows(ExecutionException.class, () -> done(client.set("spy-big", 0, value)));
        assertTrue(error.getCause().getMessage().endsWith("SERVER_ERROR object too large for cache"), error.getCause().getMessage());
        assertNull(client.get("spy-big"));
    }

    @Test
    void flushAll() throws Exception {
        assertTrue(done(client.set("spy-flush", 0, "f")));
        assertTrue(done(client.flush()));
        assertNull(client.get("spy-flush"));
    }
}
