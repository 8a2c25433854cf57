package dev.mnemo.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Byte-exact replies over a plain socket, for each command and each malformed input. Every
 * expected reply was checked against memcached 1.6.18 (run with -Dmnemo.it.memcached=true).
 */
@Timeout(30)
class RawProtocolTest {

    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = RunningServer.start("-t", "2");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void setThenGetAndGets() {
        try (RawClient client = server.connect()) {
            client.exchange("set sg 5 0 3\r\nabc\r\nget sg\r\n", "STORED\r\nVALUE sg 5 3\r\nabc\r\nEND\r\n");
            client.send("gets sg\r\n");
            assertTrue(client.readLine().matches("VALUE sg 5 3 [1-9][0-9]*\r\n"));
            client.exchange("", "abc\r\nEND\r\n");
        }
    }

    @Test
    void addAndReplaceConditions() {
        try (RawClient client = server.connect()) {
            client.exchange("set ar1 0 0 1\r\nx\r\n", "STORED\r\n");
            client.exchange("add ar1 0 0 1\r\nx\r\nadd ar2 0 0 1\r\nx\r\nreplace ar3 0 0 1\r\nx\r\n"
                            + "replace ar2 0 0 2\r\nyy\r\nget ar2\r\n",
                    "NOT_STORED\r\nSTORED\r\nNOT_STORED\r\nSTORED\r\nVALUE ar2 0 2\r\nyy\r\nEND\r\n");
        }
    }

    @Test
    void appendAndPrependKeepFlags() {
        try (RawClient client = server.connect()) {
            client.exchange("set ap 7 0 2\r\nyy\r\nappend ap 0 0 2\r\nzz\r\nprepend ap 0 0 2\r\nww\r\n"
                            + "append ap-missing 0 0 1\r\nq\r\nget ap\r\n",
                    "STORED\r\nSTORED\r\nSTORED\r\nNOT_STORED\r\nVALUE ap 7 6\r\nwwyyzz\r\nEND\r\n");
        }
    }

    @Test
    void casMatchesOnlyTheUniqueRead() {
        try (RawClient client = server.connect()) {
            client.exchange("set cs 0 0 1\r\na\r\n", "STORED\r\n");
            client.send("gets cs\r\n");
            Matcher value = Pattern.compile("VALUE cs 0 1 ([0-9]+)\r\n").matcher(client.readLine());
            assertTrue(value.matches());
            client.expect("a\r\nEND\r\n");
            long unique = Long.parseLong(value.group(1));
            client.exchange("cas cs 0 0 1 " + unique + "\r\nb\r\ncas cs 0 0 1 " + unique + "\r\nc\r\n"
                            + "cas cs-missing 0 0 1 1\r\nq\r\nget cs\r\n",
                    "STORED\r\nEXISTS\r\nNOT_FOUND\r\nVALUE cs 0 1\r\nb\r\nEND\r\n");
        }
    }

    @Test
    void incrAndDecr() {
        try (RawClient client = server.connect()) {
            client.exchange("set n 0 0 2\r\n10\r\nset notnum 0 0 3\r\nabc\r\nincr n 5\r\ndecr n 100\r\nincr n-missing 1\r\n"
                            + "incr notnum 1\r\nincr n abc\r\n",
                    "STORED\r\nSTORED\r\n15\r\n0\r\nNOT_FOUND\r\n"
                            + "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n"
                            + "CLIENT_ERROR invalid numeric delta argument\r\n");
        }
    }

    @Test
    void touchAndGat() {
        try (RawClient client = server.connect()) {
            client.exchange("set t 5 0 3\r\nabc\r\ntouch t 100\r\ntouch t-missing 1\r\ngat 100 t\r\n",
                    "STORED\r\nTOUCHED\r\nNOT_FOUND\r\nVALUE t 5 3\r\nabc\r\nEND\r\n");
            client.send("gats 0 t t-missing\r\n");
            assertTrue(client.readLine().matches("VALUE t 5 3 [1-9][0-9]*\r\n"));
            client.exchange("", "abc\r\nEND\r\n");
        }
    }

    @Test
    void delete() {
        try (RawClient client = server.connect()) {
            client.exchange("set d 0 0 1\r\nx\r\ndelete d\r\ndelete d\r\nget d\r\ndelete d 0\r\ndelete d 5\r\n",
                    "STORED\r\nDELETED\r\nNOT_FOUND\r\nEND\r\nNOT_FOUND\r\n"
                            + "CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]\r\n");
        }
    }

    @Test
    void noreplyAndEmptyValue() {
        try (RawClient client = server.connect()) {
            client.exchange("set nr 0 0 3 noreply\r\nabc\r\nget nr\r\nset e 0 0 0\r\n\r\nget e\r\n",
                    "VALUE nr 0 3\r\nabc\r\nEND\r\nSTORED\r\nVALUE e 0 0\r\n\r\nEND\r\n");
        }
    }

    @Test
    void flushAll() {
        try (RawClient client = server.connect()) {
            client.exchange("set f 0 0 1\r\nx\r\nflush_all\r\nget f\r\nflush_all noreply\r\nflush_all 0\r\n",
                    "STORED\r\nOK\r\nEND\r\nOK\r\n");
        }
    }

    @Test
    void unknownAndIncompleteCommandsAreErrors() {
        try (RawClient client = server.connect()) {
            client.exchange("bogus\r\nget\r\nincr\r\nset k 0 0\r\nverbosity\r\n",
                    "ERROR\r\nERROR\r\nERROR\r\nERROR\r\nERROR\r\n");
        }
    }

    @Test
    void keyOf251BytesIsRefused() {
        try (RawClient client = server.connect()) {
            client.exchange("get " + "k".repeat(251) + "\r\nset k 0 0 -1\r\n",
                    "CLIENT_ERROR bad command line format\r\nCLIENT_ERROR bad command line format\r\n");
            client.exchange("set " + "k".repeat(250) + " 0 0 1\r\nx\r\n", "STORED\r\n");
        }
    }

    @Test
    void badDataChunk() {
        try (RawClient client = server.connect()) {
            // memcached swallows the declared 3 bytes + 2, then parses "de" as a command
            client.exchange("set bd 0 0 3\r\nabcde\r\nget bd\r\n", "CLIENT_ERROR bad data chunk\r\nERROR\r\nEND\r\n");
        }
    }

    @Test
    void valueOverMaxItemSizeIsSwallowed() {
        try (RawClient client = server.connect()) {
            int size = 1024 * 1024 + 1;
            client.send("set big 0 0 " + size + "\r\n");
            client.send("v".repeat(size));
            client.exchange("\r\nget big\r\n", "SERVER_ERROR object too large for cache\r\nEND\r\n");
        }
    }

    @Test
    void lineOver2048BytesWithoutNewlineClosesTheConnection() {
        try (RawClient client = server.connect()) {
            client.send("x".repeat(3000));
            client.expectClosed("");
        }
    }

    @Test
    void verbosityAndVersion() {
        try (RawClient client = server.connect()) {
            client.exchange("verbosity 0\r\n", "OK\r\n");
            client.send("version\r\n");
            assertTrue(client.readLine().startsWith("VERSION "));
        }
    }

    @Test
    void shutdownIsRefusedWithoutDashA() {
        try (RawClient client = server.connect()) {
            client.exchange("shutdown\r\n", "ERROR: shutdown not enabled\r\n");
        }
    }

    @Test
    void quitClosesTheConnection() {
        try (RawClient client = server.connect()) {
            client.send("quit\r\nget x\r\n");
            client.expectClosed("");
        }
    }

    @Test
    void requestSentOneByteAtATime() {
        try (RawClient client = server.connect()) {
            String request = "set split 3 0 5\r\nhello\r\nget split\r\n" + RawClient.SENTINEL;
            for (int i = 0; i < request.length(); i++) {
                client.send(request.substring(i, i + 1));
            }
            client.expect("STORED\r\nVALUE split 3 5\r\nhello\r\nEND\r\nEND\r\n");
        }
    }

    @Test
    void thousandPipelinedRequestsAreAnsweredInOrder() {
        try (RawClient client = server.connect()) {
            StringBuilder requests = new StringBuilder("set counter 0 0 1\r\n0\r\n");
            StringBuilder replies = new StringBuilder("STORED\r\n");
            for (int i = 1; i <= 999; i++) {
                requests.append("incr counter 1\r\n");
                replies.append(i).append("\r\n");
            }
            client.exchange(requests.toString(), replies.toString());
        }
    }

    @Test
    void multiGetOfHundredKeys() {
        try (RawClient client = server.connect()) {
            StringBuilder sets = new StringBuilder();
            StringBuilder stored = new StringBuilder();
            StringBuilder get = new StringBuilder("get");
            StringBuilder values = new StringBuilder();
            for (int i = 0; i < 100; i++) {
                sets.append("set mg").append(i).append(" ").append(i).append(" 0 ").append(String.valueOf(i).length())
                        .append("\r\n").append(i).append("\r\n");
                stored.append("STORED\r\n");
                get.append(" mg").append(i);
                values.append("VALUE mg").append(i).append(" ").append(i).append(" ").append(String.valueOf(i).length())
                        .append("\r\n").append(i).append("\r\n");
            }
            client.exchange(sets.toString(), stored.toString());
            client.exchange(get + "\r\n", values + "END\r\n");
        }
    }
}
