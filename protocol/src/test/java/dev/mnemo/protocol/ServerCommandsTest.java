package dev.mnemo.protocol;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** version, verbosity, quit, shutdown, flush_all, cache_memlimit. */
class ServerCommandsTest extends ProtocolTestBase {

    @Test
    void versionIgnoresArguments() {
        String reply = "VERSION " + TextProtocol.VERSION + "\r\n";
        assertEquals(reply + reply, send("version\r\nversion 1 2 3 4 5 6 7 8 9\r\n"));
    }

    @Test
    void verbositySetsTheServersLevelCappedAt2() {
        assertEquals("OK\r\n", send("verbosity 1\r\n"));
        assertEquals(1, server.verbosity);
        assertEquals("OK\r\n", send("verbosity 5\r\n"));
        assertEquals(2, server.verbosity);
        assertEquals("OK\r\n", send("verbosity 0 2\r\n"));
        assertEquals(0, server.verbosity);
        assertEquals("", send("verbosity 2 noreply\r\n"));
        assertEquals(2, server.verbosity);
        assertEquals("CLIENT_ERROR bad command line format\r\n", send("verbosity abc\r\n"));
        assertEquals("", send("verbosity abc noreply\r\nverbosity noreply\r\n"));
        assertEquals("END\r\n", send("get a\r\n"), "commands are logged at verbosity 2");
    }

    @Test
    void commandLinesAreLoggedAtVerbosity2Only() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            send("get quiet-key\r\n");
            server.verbosity = 2;
            send("get logged-key\r\nset k 0 0 1\r\nx\r\n");
        } finally {
            System.setErr(err);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("<get logged-key"), log);
        assertTrue(log.contains("<set k 0 0 1"), log);
        assertFalse(log.contains("quiet-key"), log);
    }

    @Test
    void quitClosesWithoutReplyAndIgnoresWhatFollows() {
        assertEquals("", send("quit\r\nget a\r\n"));
        assertTrue(client.isClosed());
        Client other = newClient();
        assertEquals("", other.send("quit extra\r\n"));
        assertTrue(other.isClosed());
        other.close();
    }

    @Test
    void shutdownIsRefusedUnlessEnabled() {
        assertEquals("ERROR: shutdown not enabled\r\n".repeat(2), send("shutdown\r\nshutdown x y\r\n"));
        assertEquals(0, server.shutdowns);
        assertFalse(client.isClosed());
    }

    @Test
    void shutdownWhenEnabledStopsTheServerAndClosesTheConnection() {
        Settings s = server.settings;
        server.settings = new Settings(s.maxBytes(), s.maxConnections(), s.tcpPort(), s.udpPort(), s.listenAddress(),
                s.threads(), s.maxItemSize(), s.casEnabled(), true);
        assertEquals("CLIENT_ERROR invalid shutdown mode\r\n", send("shutdown x\r\n"));
        assertEquals("CLIENT_ERROR invalid shutdown mode\r\n", send("shutdown graceful x\r\n"));
        assertEquals(0, server.shutdowns);
        assertEquals("", send("shutdown graceful\r\n"));
        assertEquals(1, server.shutdowns);
        assertTrue(client.isClosed());
    }

    @Test
    void flushAllNowAndWithADelay() {
        send("set a 0 0 1\r\nx\r\n");
        assertEquals("OK\r\n", send("flush_all\r\n"));
        assertEquals("END\r\n", send("get a\r\n"));
        clock.advance(1);
        send("set a 0 0 1\r\nx\r\n");
        assertEquals("OK\r\n", send("flush_all 10\r\n"));
        clock.advance(9);
        assertEquals("VALUE a 0 1\r\nx\r\nEND\r\n", send("get a\r\n"));
        clock.advance(1);
        assertEquals("END\r\n", send("get a\r\n"));
    }

    @Test
    void flushAllArguments() {
        assertEquals("OK\r\n", send("flush_all 0\r\n"));
        assertEquals("OK\r\n", send("flush_all -1\r\n"));
        assertEquals("OK\r\n", send("flush_all 0 2\r\n"));
        assertEquals("CLIENT_ERROR invalid exptime argument\r\n", send("flush_all abc\r\n"));
        assertEquals("CLIENT_ERROR invalid exptime argument\r\n", send("flush_all noreply 2\r\n"));
        assertEquals("", send("flush_all noreply\r\n"));
        assertEquals("ERROR\r\n", send("flush_all 1 2 3\r\n"));
    }

    @Test
    void cacheMemlimitRepliesAsMemcached() {
        assertEquals("OK\r\n", send("cache_memlimit 32\r\n"));
        assertEquals(String.valueOf(32L << 20), limit());
        assertEquals("MEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m\r\n", send("cache_memlimit 7\r\n"));
        assertEquals("MEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m\r\n", send("cache_memlimit 4294967296\r\n"));
        assertEquals("MEMLIMIT_ADJUST_FAILED input value is megabytes not bytes\r\n", send("cache_memlimit 1000000001\r\n"));
        assertEquals("ERROR\r\n", send("cache_memlimit abc\r\n"));
        assertEquals("ERROR\r\n", send("cache_memlimit -5\r\n"));
        assertEquals("", send("cache_memlimit 16 noreply\r\n"));
        assertEquals(String.valueOf(16L << 20), limit());
        assertEquals("MEMLIMIT_ADJUST_FAILED out of bounds or unable to adjust\r\n", send("cache_memlimit 65\r\n"),
                "the store cannot grow past the limit it was opened with");
        assertEquals("OK\r\n", send("cache_memlimit 64\r\n"));
        assertEquals(String.valueOf(64L << 20), limit());
    }

    private String limit() {
        String reply = send("stats\r\n");
        int at = reply.indexOf("STAT limit_maxbytes ") + 20;
        return reply.substring(at, reply.indexOf('\r', at));
    }
}
