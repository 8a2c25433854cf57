package dev.mnemo.server;

import net.spy.memcached.AddrUtil;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.MemcachedClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The commands whose semantics are the same in memcached's text and binary protocols, driven
 * through spymemcached (net.spy:spymemcached), a real third-party client, against a server
 * started for the class. Each subclass picks the protocol and adds the commands whose replies
 * differ between the two.
 */
@Timeout(60)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SpymemcachedTestBase {

    RunningServer server;
    MemcachedClient client;

    /** @return the protocol the client speaks */
    abstract ConnectionFactoryBuilder.Protocol protocol();

    @BeforeAll
    void start() throws IOException {
        server = RunningServer.start("-t", "2");
        client = new MemcachedClient(new ConnectionFactoryBuilder()
                .setProtocol(protocol())
                .setOpTimeout(5000)
                .build(), AddrUtil.getAddresses("127.0.0.1:" + server.port()));
    }

    @AfterAll
    void stop() {
        client.shutdown(5, TimeUnit.SECONDS);
        server.close();
    }

    static <T> T done(Future<T> future) throws Exception {
        return future.get(5, TimeUnit.SECONDS);
    }

    @Test
    void setAndGet() throws Exception {
        assertTrue(done(client.set("spy-set", 0, "hello")));
        assertEquals("hello", client.get("spy-set"));
        assertTrue(done(client.set("spy-set", 0, "again")));
        assertEquals("again", client.get("spy-set"));
        assertNull(client.get("spy-missing"));
    }

    @Test
    void addOnlyWhenMissingReplaceOnlyWhenPresent() throws Exception {
        assertTrue(done(client.add("spy-add", 0, "first")));
        assertFalse(done(client.add("spy-add", 0, "second")));
        assertEquals("first", client.get("spy-add"));
        assertFalse(done(client.replace("spy-replace", 0, "x")));
        assertNull(client.get("spy-replace"));
        assertTrue(done(client.replace("spy-add", 0, "third")));
        assertEquals("third", client.get("spy-add"));
    }

    @Test
    void appendAndPrepend() throws Exception {
        assertTrue(done(client.set("spy-ap", 0, "mid")));
        assertTrue(done(client.append("spy-ap", "-end")));
        assertTrue(done(client.prepend("spy-ap", "start-")));
        assertEquals("start-mid-end", client.get("spy-ap"));
        assertFalse(done(client.append("spy-ap-missing", "x")));
    }

    @Test
    void delete() throws Exception {
        assertTrue(done(client.set("spy-del", 0, "d")));
        assertTrue(done(client.delete("spy-del")));
        assertFalse(done(client.delete("spy-del")));
        assertNull(client.get("spy-del"));
    }

    /** In binary mode spymemcached sends the gets quiet (GETQ … NOOP), so misses send nothing. */
    @Test
    void multiGetOfHundredKeys() throws Exception {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            keys.add("spy-multi-" + i);
            assertTrue(done(client.set("spy-multi-" + i, 0, "value-" + i)));
        }
        keys.add("spy-multi-missing");
        Map<String, Object> values = client.getBulk(keys);
        assertEquals(100, values.size());
        for (int i = 0; i < 100; i++) {
            assertEquals("value-" + i, values.get("spy-multi-" + i));
        }
    }
}
