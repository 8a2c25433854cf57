package dev.mnemo.server;

import com.sun.net.httpserver.HttpExchange;
import dev.mnemo.protocol.StatsSnapshot;
import dev.mnemo.store.Store;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The HTTP endpoint of {@code --metrics-port}: {@code /metrics} in the Prometheus text format
 * ({@link MetricsCollector}, plus the Prometheus client's JVM metrics: heap, direct and mapped
 * buffers, GC, threads, process CPU and resident memory), and {@code /healthz}, which answers
 * 200 while the server accepts requests and 503 once it is stopping. Any other path gets 404.
 *
 * <p>Served by the JDK's HTTP server on one daemon thread of its own, so a scrape costs the
 * event loops nothing but the cache-line traffic of reading their counters.
 *
 * <p>Thread-safe. {@link #close} stops it; close it after the server.
 */
final class MetricsEndpoint implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);

    private final HTTPServer http;

    private MetricsEndpoint(HTTPServer http) {
        this.http = http;
    }

    /**
     * Binds the endpoint and starts serving.
     *
     * @param address      the interface and port (0: a free port, see {@link #port()}); may be unresolved
     * @param server       the running server
     * @param store        its store
     * @param itemsAtStart the items the store held when the server started (warm restart)
     * @return the running endpoint
     * @throws IOException if the address cannot be bound
     */
    static MetricsEndpoint start(InetSocketAddress address, MnemoServer server, Store store, long itemsAtStart)
            throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new MetricsCollector(server, new StatsSnapshot(store, server), itemsAtStart));
        JvmMetrics.builder().register(registry);
        ExecutorService thread = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, "mnemo-metrics");
            t.setDaemon(true);
            return t;
        });
        HTTPServer http;
        try {
            http = HTTPServer.builder()
                    .hostname(address.getHostString())
                    .port(address.getPort())
                    .registry(registry)
                    .executorService(thread)
                    .registerHealthHandler(false)
                    .defaultHandler(exchange -> health(exchange, server))
                    .buildAndStart();
        } catch (IOException | RuntimeException e) {
            thread.shutdownNow();
            throw e;
        }
        MetricsEndpoint endpoint = new MetricsEndpoint(http);
        LOG.info("metrics on http://{}:{}/metrics, health check on /healthz", address.getHostString(), endpoint.port());
        return endpoint;
    }

    /** @return the port the endpoint listens on (the bound one when started with port 0) */
    int port() {
        return http.getPort();
    }

    /** Stops serving, at once. */
    @Override
    public void close() {
        http.close();
    }

    /** {@code /healthz}: 200 "OK" while the server accepts requests, 503 once it is stopping; 404 elsewhere. */
    private static void health(HttpExchange exchange, MnemoServer server) throws IOException {
        try (exchange) {
            int status;
            String body;
            if (!exchange.getRequestURI().getPath().equals("/healthz")) {
                status = 404;
                body = "Not found: try /metrics or /healthz\n";
            } else if (server.accepting()) {
                status = 200;
                body = "OK\n";
            } else {
                status = 503;
                body = "stopping\n";
            }
            byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
