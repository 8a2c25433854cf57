package dev.mnemo.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * protocol.txt's stale-while-revalidate with several concurrent clients on plain sockets: after
 * {@code md <key> I}, every mg gets the stale value flagged X, exactly one of all of them gets W
 * and the others Z; the winner's ms with the item's CAS unique ends the cycle. Repeated for a
 * few cycles. Passes against memcached 1.6.18 too (-Dmnemo.it.memcached=true).
 */
@Timeout(60)
class MetaStaleWhileRevalidateTest {

    private static final int CLIENTS = 6;
    private static final int READS_PER_CLIENT = 25;
    private static final int CYCLES = 8;
    private static final Pattern REPLY = Pattern.compile("VA ([0-9]+) c([0-9]+)( Z)? X( W)?\r\n");

    /** What one client saw in one cycle: how many W it got, and the CAS unique of the stale item. */
    private record Seen(int wins, long cas) {
    }

    @Test
    void exactlyOneClientWinsEachCycle() throws Exception {
        try (RunningServer server = RunningServer.start("-t", "4");
             RawClient control = server.connect()) {
            List<RawClient> clients = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            try {
                for (int i = 0; i < CLIENTS; i++) {
                    clients.add(server.connect());
                }
                control.exchange("ms swr 2 T0\r\nv0\r\n", "HD\r\n");
                for (int cycle = 1; cycle <= CYCLES; cycle++) {
                    String value = "v" + (cycle - 1);
                    control.exchange("md swr I\r\n", "HD\r\n");
                    CyclicBarrier start = new CyclicBarrier(CLIENTS);
                    List<Future<Seen>> results = new ArrayList<>();
                    for (RawClient client : clients) {
                        results.add(pool.submit(() -> readStale(client, start, value)));
                    }
                    int wins = 0;
                    long cas = -1;
                    for (Future<Seen> result : results) {
                        Seen seen = result.get(30, TimeUnit.SECONDS);
                        wins += seen.wins();
                        cas = seen.cas();
                    }
                    assertEquals(1, wins, "cycle " + cycle);
                    String next = "v" + cycle;
                    control.exchange("ms swr 2 C" + cas + "\r\n" + next + "\r\nmg swr v\r\n",
                            "HD\r\nVA 2\r\n" + next + "\r\n");
                }
            } finally {
                pool.shutdownNow();
                clients.forEach(RawClient::close);
            }
        }
    }

    /** Reads the invalidated item {@value #READS_PER_CLIENT} times: always stale, always the same value and CAS. */
    private static Seen readStale(RawClient client, CyclicBarrier start, String value) throws Exception {
        start.await(10, TimeUnit.SECONDS);
        int wins = 0;
        long cas = -1;
        for (int i = 0; i < READS_PER_CLIENT; i++) {
            client.send("mg swr c v\r\n");
            String line = client.readLine();
            Matcher m = REPLY.matcher(line);
            assertTrue(m.matches(), line);
            assertTrue(m.group(3) == null || m.group(4) == null, "Z and W together: " + line);
            client.expect(value + "\r\n");
            long seenCas = Long.parseLong(m.group(2));
            assertTrue(cas == -1 || cas == seenCas, "the stale item's CAS unique changed");
            cas = seenCas;
            wins += m.group(4) == null ? 0 : 1;
        }
        return new Seen(wins, cas);
    }
}
