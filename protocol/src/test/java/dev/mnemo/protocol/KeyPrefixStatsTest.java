package dev.mnemo.protocol;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** "stats detail on|off|dump" and -D: memcached 1.6.18's per-prefix counts and dump, bounded. */
class KeyPrefixStatsTest extends ProtocolTestBase {

    /** @return the dump's PREFIX lines as a set (memcached's order is its hash table's) and END last */
    private Set<String> dump() {
        String reply = send("stats detail dump\r\n");
        assertTrue(reply.endsWith("END\r\n"), reply);
        return Arrays.stream(reply.split("\r\n")).filter(l -> !l.equals("END")).collect(Collectors.toSet());
    }

    @Test
    void offByDefaultAndDumpIsEmpty() {
        send("set a:b 0 0 1\r\nx\r\nget a:b\r\n");
        assertEquals("END\r\n", send("stats detail dump\r\n"));
        assertEquals("no", statsSetting("detail_enabled"));
        assertEquals(":", statsSetting("stat_key_prefix"));
    }

    /** The reply memcached 1.6.18 gives to this very transcript, byte for byte. */
    @Test
    void countsAsMemcachedDoes() {
        assertEquals("OK\r\n", send("stats detail on\r\n"));
        assertEquals("yes", statsSetting("detail_enabled"));
        send("set a:b 0 0 1\r\nx\r\nget a:b\r\nget nokey\r\nget a:c\r\ndelete a:b\r\nset plain 0 0 1\r\nx\r\n"
                + "get plain\r\nincr a:b 1\r\ntouch a:b 1\r\ngets a:b\r\n");
        assertEquals("PREFIX a get 3 hit 1 set 1 del 1\r\nEND\r\n", send("stats detail dump\r\n"));
        assertEquals("OK\r\n", send("stats detail off\r\n"));
        send("get a:c\r\nset a:c 0 0 1\r\nx\r\n");
        assertEquals("PREFIX a get 3 hit 1 set 1 del 1\r\nEND\r\n", send("stats detail dump\r\n"));
    }

    @Test
    void everyTextGetStorageCommandAndDeleteCountsMetaCommandsDoNot() {
        send("stats detail on\r\n");
        send("get :q\r\ndelete zz:1\r\nadd b:1 0 0 1\r\nx\r\nmg b:1 v\r\nms b:2 1\r\nx\r\nmd b:1\r\ngat 10 b:1 b:2\r\n"
                + "cas b:2 0 0 1 1\r\ny\r\nappend b:2 0 0 1\r\ny\r\n");
        assertEquals(Set.of("PREFIX  get 1 hit 0 set 0 del 0", "PREFIX b get 2 hit 1 set 3 del 0",
                "PREFIX zz get 0 hit 0 set 0 del 1"), dump());
    }

    @Test
    void aSetIsCountedOnceWhateverItsFate() {
        send("stats detail on\r\n");
        assertEquals("", send("set k:1 0 0 5\r\nab"));
        assertEquals("STORED\r\n", send("cde\r\n"));
        try (Client other = newClient()) {
            assertTrue(other.send("set k:2 0 0 1\r\nxyz\r\n").startsWith("CLIENT_ERROR bad data chunk\r\n"));
        }
        try (Client other = newClient()) {
            other.send("set k:3 0 0 " + (TestServer.defaultSettings().maxItemSize() + 1) + "\r\n");
        }
        send("gets k:1 k:2 k:1\r\n");
        assertEquals(Set.of("PREFIX k get 3 hit 2 set 3 del 0"), dump());
    }

    @Test
    void resetForgetsThePrefixes() {
        send("stats detail on\r\nget a:1\r\n");
        assertEquals("RESET\r\n", send("stats reset\r\n"));
        assertEquals("END\r\n", send("stats detail dump\r\n"));
    }

    @Test
    void theDelimiterIsMemcachedsMinusD() {
        server.prefixStats.delimiter((byte) '/');
        server.prefixStats.enable(true);
        send("get a/b/c\r\nget a:b\r\n");
        assertEquals(Set.of("PREFIX a get 1 hit 0 set 0 del 0"), dump());
        assertEquals("/", statsSetting("stat_key_prefix"));
    }

    @Test
    void newPrefixesPastTheCapAreDroppedAndCounted() {
        send("stats detail on\r\n");
        StringBuilder gets = new StringBuilder();
        for (int i = 0; i < KeyPrefixStats.MAX_PREFIXES + 10; i++) {
            gets.append("get p").append(i).append(":x\r\n");
        }
        send(gets.toString());
        send("get p0:y\r\n");
        assertEquals(KeyPrefixStats.MAX_PREFIXES, dump().size());
        assertEquals(10, server.prefixStats.dropped());
        assertTrue(dump().contains("PREFIX p0 get 2 hit 0 set 0 del 0"));
    }

    @Test
    void usageAsMemcached() {
        assertEquals("CLIENT_ERROR usage: stats detail on|off|dump\r\n", send("stats detail ON\r\n"));
        assertEquals("OK\r\n", send("stats detail on x\r\n"));
    }

    private String statsSetting(String name) {
        for (String l : send("stats settings\r\n").split("\r\n")) {
            if (l.startsWith("STAT " + name + " ")) {
                return l.substring(name.length() + 6);
            }
        }
        return null;
    }
}
