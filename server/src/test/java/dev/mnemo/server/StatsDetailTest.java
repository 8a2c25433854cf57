package dev.mnemo.server;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * "stats detail on|off|dump" and -D over TCP, byte for byte as memcached 1.6.18 (run with
 * -Dmnemo.it.memcached=true); each test has its own server, since the counts are server-wide.
 */
class StatsDetailTest {

    @Test
    void countsPerPrefixWhileOn() {
        try (RunningServer server = RunningServer.start("-t", "2"); RawClient client = server.connect()) {
            client.exchange("stats detail dump\r\n", "END\r\n");
            client.exchange("stats detail on\r\n", "OK\r\n");
            client.exchange("stats detail dump\r\n", "END\r\n");
            client.exchange("set a:b 0 0 1\r\nx\r\nget a:b\r\nget nokey\r\nget a:c\r\ndelete a:b\r\n"
                            + "set plain 0 0 1\r\nx\r\nget plain\r\nincr a:b 1\r\ntouch a:b 1\r\n",
                    "STORED\r\nVALUE a:b 0 1\r\nx\r\nEND\r\nEND\r\nEND\r\nDELETED\r\nSTORED\r\n"
                            + "VALUE plain 0 1\r\nx\r\nEND\r\nNOT_FOUND\r\nNOT_FOUND\r\n");
            client.exchange("stats detail dump\r\n", "PREFIX a get 2 hit 1 set 1 del 1\r\nEND\r\n");
            client.exchange("stats detail off\r\n", "OK\r\n");
            client.exchange("get a:c\r\nstats detail dump\r\n", "END\r\nPREFIX a get 2 hit 1 set 1 del 1\r\nEND\r\n");
            client.exchange("stats detail\r\n", "CLIENT_ERROR usage: stats detail on|off|dump\r\n");
            client.exchange("stats detail ON\r\n", "CLIENT_ERROR usage: stats detail on|off|dump\r\n");
            client.exchange("stats detail on x\r\n", "OK\r\n");
            client.exchange("stats reset\r\nstats detail dump\r\n", "RESET\r\nEND\r\n");
        }
    }

    @Test
    void minusDSetsTheDelimiterAndTurnsCountingOn() {
        try (RunningServer server = RunningServer.start("-t", "2", "-D", "/"); RawClient client = server.connect()) {
            client.exchange("get x/1\r\nget y:1\r\nadd x/z 0 0 1\r\nz\r\nstats detail dump\r\n",
                    "END\r\nEND\r\nSTORED\r\nPREFIX x get 1 hit 0 set 1 del 0\r\nEND\r\n");
            assertEquals(List.of("STAT stat_key_prefix /\r\n", "STAT detail_enabled yes\r\n"), detailSettings(client));
            client.send("stats detail off\r\n").expect("OK\r\n");
            assertEquals(List.of("STAT stat_key_prefix /\r\n", "STAT detail_enabled no\r\n"), detailSettings(client));
        }
    }

    private static List<String> detailSettings(RawClient client) {
        client.send("stats settings\r\n");
        List<String> lines = new ArrayList<>();
        for (String l = client.readLine(); !l.equals("END\r\n"); l = client.readLine()) {
            if (l.startsWith("STAT stat_key_prefix ") || l.startsWith("STAT detail_enabled ")) {
                lines.add(l);
            }
        }
        return lines;
    }
}
