package dev.mnemo.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * -t: the server runs on exactly that many threads, its event loops, and no other (no acceptor
 * thread): with -t 1 one thread accepts, does all I/O, TCP and UDP, and runs every request.
 */
@Timeout(60)
class ThreadingTest {

    @Test
    void minusT1RunsTheWholeServerOnOneThread() {
        assertServerThreads(1);
    }

    @Test
    void minusT3RunsThreeEventLoopsAndNoOtherThread() {
        assertServerThreads(3);
    }

    private static void assertServerThreads(int threads) {
        assumeFalse(RunningServer.againstMemcached());
        Set<Thread> before = serverThreads();
        try (RunningServer server = RunningServer.startWithUdp("-t", Integer.toString(threads))) {
            List<RawClient> clients = new ArrayList<>();
            try (UdpClient udp = server.udp()) {
                for (int i = 0; i < 2 * threads + 1; i++) {
                    RawClient client = server.connect();
                    clients.add(client);
                    client.exchange("set k" + i + " 0 0 1\r\nv\r\n", "STORED\r\n");
                }
                assertEquals("VALUE k0 0 1\r\nv\r\nEND\r\n", udp.exchange(1, "get k0\r\n"));
            } finally {
                clients.forEach(RawClient::close);
            }
            Set<Thread> started = serverThreads();
            started.removeAll(before);
            assertEquals(threads, started.size(), "threads the server started: " + started);
            for (Thread thread : started) {
                assertTrue(thread.getName().startsWith("mnemo-worker"), thread.getName());
            }
        }
    }

    /** @return the live threads a Mnemo server may have started */
    private static Set<Thread> serverThreads() {
        Set<Thread> threads = new HashSet<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("mnemo-")) {
                threads.add(thread);
            }
        }
        return threads;
    }
}
