package dev.mnemo.server;

import net.spy.memcached.AddrUtil;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.MemcachedClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The metrics endpoint in-process: a server started with {@code --metrics-port 0}, driven by
 * spymemcached (a real client); the scraped text carries memcached_exporter's names with the
 * values the requests caused, the latency histograms count the requests, and /healthz follows
 * the server's life.
 */
@Timeout(60)
class MetricsEndpointTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static ServerOptions parse(String... args) {
        ServerOptions options = new ServerOptions();
        ServerOptions.commandLine(options).parseArgs(args);
        return options;
    }

    @Test
    void offByDefaultOnTheListenAddressOtherwise() {
        assertNull(parse().metricsAddress(), "no --metrics-port: no endpoint, no port bound");
        assertEquals(InetSocketAddress.createUnresolved("127.0.0.2", 9150),
                parse("-l", "127.0.0.2", "--metrics-port", "9150").metricsAddress());
        assertEquals(InetSocketAddress.createUnresolved("0.0.0.0", 0),
                parse("-l", "127.0.0.2", "--metrics-port=0", "--metrics-listen=0.0.0.0").metricsAddress());
        assertThrows(ParameterException.class, () -> parse("--metrics-listen", "0.0.0.0").metricsAddress());
        assertThrows(ParameterException.class, () -> parse("--metrics-port", "65536").metricsAddress());
    }

    @Test
    void servesMemcachedExportersNamesWithTheValuesOfStats() throws Exception {
        try (RunningServer running = RunningServer.start("-t", "2", "--metrics-port", "0");
             MetricsEndpoint metrics = MetricsEndpoint.start(parse("--metrics-port", "0").metricsAddress(),
                     running.server(), running.store(), 0)) {
            MemcachedClient client = new MemcachedClient(new ConnectionFactoryBuilder().setOpTimeout(5000).build(),
                    AddrUtil.getAddresses("127.0.0.1:" + running.port()));
            try {
                // one request at a time, so that spymemcached sends each get alone (it merges queued gets)
                for (int i = 0; i < 3; i++) {
                    assertTrue(client.set("key" + i, 0, "value" + i).get(5, TimeUnit.SECONDS));
                }
                assertTrue(client.set("n", 0, "5").get(5, TimeUnit.SECONDS));
                for (int i = 0; i < 5; i++) {
                    assertEquals("value" + (i % 3), client.get("key" + (i % 3)));
                }
                for (int i = 0; i < 2; i++) {
                    assertNull(client.get("missing" + i));
                }
                assertTrue(client.delete("key2").get(5, TimeUnit.SECONDS));
                assertEquals(6, client.incr("n", 1));
                assertEquals(-1, client.decr("missing", 1));
                assertTrue(client.touch("key0", 100).get(5, TimeUnit.SECONDS));
            } finally {
                client.shutdown(5, TimeUnit.SECONDS);
            }

            String text = get(metrics, "/metrics").body();
            // sample, then the value the requests above caused: 5 get hits, 2 misses, 4 sets, ...
            String expected = """
                    memcached_up 1
                    memcached_commands_total{command="get",status="hit"} 5
                    memcached_commands_total{command="get",status="miss"} 2
                    memcached_commands_total{command="set",status="hit"} 4
                    memcached_commands_total{command="delete",status="hit"} 1
                    memcached_commands_total{command="delete",status="miss"} 0
                    memcached_commands_total{command="incr",status="hit"} 1
                    memcached_commands_total{command="decr",status="miss"} 1
                    memcached_commands_total{command="touch",status="hit"} 1
                    memcached_commands_total{command="cas",status="badval"} 0
                    memcached_current_items 3
                    memcached_items_total 4
                    memcached_limit_bytes 33554432
                    memcached_max_connections 1024
                    memcached_connections_total 1
                    memcached_connections_rejected_total 0
                    memcached_slab_current_items{slab="1"} 3
                    mnemo_request_duration_seconds_count{family="get"} 7
                    mnemo_request_duration_seconds_bucket{family="get",le="+Inf"} 7
                    mnemo_request_duration_seconds_count{family="set"} 4
                    mnemo_request_duration_seconds_count{family="delete"} 1
                    mnemo_request_duration_seconds_count{family="incr_decr"} 2
                    mnemo_request_duration_seconds_count{family="touch"} 1
                    mnemo_warm_restart_items 0
                    mnemo_items_bad_checksum_total 0
                    """;
            expected.lines().map(line -> line.split(" ")).forEach(
                    sample -> assertEquals(Double.parseDouble(sample[1]), value(text, sample[0]), sample[0]));
            assertTrue(value(text, "memcached_current_bytes") > 0);
            assertTrue(value(text, "memcached_read_bytes_total") > 0);
            assertTrue(value(text, "memcached_written_bytes_total") > 0);
            assertTrue(value(text, "memcached_uptime_seconds") >= 0);
            assertTrue(text.contains("memcached_version{version=\"1.6.18-mnemo-"), "memcached_version{version}");

            assertTrue(value(text, "mnemo_request_duration_seconds_sum{family=\"get\"}") > 0);
            assertEquals(5.0 / 7, value(text, "mnemo_hit_ratio"), 1e-9);
            assertTrue(value(text, "mnemo_store_segments_bytes") > 0);
            assertTrue(value(text, "jvm_memory_used_bytes{area=\"heap\"}") > 0, "the client's JVM metrics");
        }
    }

    @Test
    void healthzIs200WhileServingThen503ThenGone() throws Exception {
        RunningServer running = RunningServer.start("-t", "1");
        MetricsEndpoint metrics = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0),
                running.server(), running.store(), 0);
        try {
            HttpResponse<String> healthy = get(metrics, "/healthz");
            assertEquals(200, healthy.statusCode());
            assertEquals("OK\n", healthy.body());
            assertEquals(404, get(metrics, "/nothing").statusCode());

            running.close();
            assertEquals(503, get(metrics, "/healthz").statusCode());
            assertEquals(0, value(get(metrics, "/metrics").body(), "memcached_up"), "stopping: memcached_up 0");
        } finally {
            running.close();
            metrics.close();
        }
        assertThrows(ConnectException.class, () -> get(metrics, "/healthz"));
    }

    private static HttpResponse<String> get(MetricsEndpoint metrics, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics.port() + path))
                .timeout(Duration.ofSeconds(10)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** @return the value of the sample named (with its labels, as exposed) in the text format */
    static double value(String text, String sample) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$").matcher(text);
        assertTrue(m.find(), () -> sample + " not in:\n" + text);
        return Double.parseDouble(m.group(1));
    }
}
