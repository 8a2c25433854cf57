package dev.mnemo.server;

import dev.mnemo.protocol.Settings;
import dev.mnemo.store.Clock;
import dev.mnemo.store.Store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Mnemo server for one test: started in-process from memcached-style flags on an ephemeral
 * loopback port with a small memory limit, stopped by {@link #close}.
 *
 * <p>With {@code -Dmnemo.it.memcached=true} the client and raw-socket tests run against the
 * Debian memcached instead (same flags), to check that their expectations are memcached's.
 */
final class RunningServer implements AutoCloseable {

    static final boolean AGAINST_MEMCACHED = Boolean.getBoolean("mnemo.it.memcached");

    private final MnemoServer server;
    private final Store store;
    private final Process memcached;
    private final int port;
    private final int udpPort;

    private RunningServer(MnemoServer server, Store store, Process memcached, int port, int udpPort) {
        this.server = server;
        this.store = store;
        this.memcached = memcached;
        this.port = port;
        this.udpPort = udpPort;
    }

    /**
     * Starts a server that also listens on a free UDP port ({@link #udpPort()}).
     *
     * @param flags as {@link #start(String...)}; must not contain -U
     */
    static RunningServer startWithUdp(String... flags) {
        List<String> args = new ArrayList<>(List.of("-U", Integer.toString(freeUdpPort())));
        args.addAll(List.of(flags));
        return start(args.toArray(String[]::new));
    }

    /** @return a loopback UDP port nothing was bound to a moment ago */
    private static int freeUdpPort() {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param flags memcached flags; -p 0 (a free port) and -m 32 are added first, so flags given
     *              here win
     */
    static RunningServer start(String... flags) {
        return start(Clock.SYSTEM, flags);
    }

    /**
     * @param clock the store's time source (a {@link dev.mnemo.store.ManualClock} makes items expire without sleeping)
     * @param flags as {@link #start(String...)}
     */
    static RunningServer start(Clock clock, String... flags) {
        List<String> args = new ArrayList<>(List.of("-p", "0", "-m", "32"));
        args.addAll(List.of(flags));
        if (AGAINST_MEMCACHED) {
            return startMemcached(args);
        }
        ServerOptions options = new ServerOptions();
        ServerOptions.commandLine(options).parseArgs(args.toArray(String[]::new));
        Settings settings = options.settings();
        TlsOptions tlsOptions = options.tls();
        TlsContext tls;
        try {
            tls = tlsOptions.enabled() ? TlsContext.load(tlsOptions) : null;
        } catch (TlsContext.LoadException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        CurrentTime time = new CurrentTime();
        // as Main: the store reads the server's ticking time, unless a test brings its own clock
        Store store = options.storeBuilder().clock(clock == Clock.SYSTEM ? time : clock).sweepExpiredInBackground(false).open();
        MnemoServer server = MnemoServer.start(settings, store, options.verbosity(), options.authFile(),
                TransportChooser.choose(options.transport()), new Listeners(options.listeners(), tlsOptions, tls), time);
        if (options.prefixDelimiter() != null) {
            server.prefixStats().useDelimiter(options.prefixDelimiter());
        }
        server.startIdleTimeout(options.idleTimeoutSeconds());
        return new RunningServer(server, store, null, server.port(), settings.udpPort());
    }

    private static RunningServer startMemcached(List<String> args) {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>(List.of("memcached", "-u", "nobody", "-U", "0"));
        if (!args.contains("-l")) {
            command.addAll(List.of("-l", "127.0.0.1"));
        }
        command.addAll(args);
        int portFlag = command.lastIndexOf("-p") + 1;
        if (command.get(portFlag).equals("0")) {
            command.set(portFlag, Integer.toString(port)); // memcached's -p 0 means no TCP: a free port instead
        } else {
            port = Integer.parseInt(command.get(portFlag));
        }
        try {
            Process process = new ProcessBuilder(command).inheritIO().start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (true) {
                try (Socket ignored = new Socket("127.0.0.1", port)) {
                    int udp = command.lastIndexOf("-U");
                    return new RunningServer(null, null, process, port, Integer.parseInt(command.get(udp + 1)));
                } catch (IOException notYet) {
                    if (System.nanoTime() > deadline) {
                        process.destroy();
                        throw notYet;
                    }
                    Thread.onSpinWait();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return whether this test runs against the reference memcached rather than Mnemo */
    static boolean againstMemcached() {
        return AGAINST_MEMCACHED;
    }

    int port() {
        return port;
    }

    /** @return the UDP port, 0 when UDP is off */
    int udpPort() {
        return udpPort;
    }

    /** @return a UDP client of the server's UDP port, with a 5 s receive timeout */
    UdpClient udp() {
        if (udpPort == 0) {
            throw new IllegalStateException("started without UDP");
        }
        return new UdpClient(new InetSocketAddress("127.0.0.1", udpPort));
    }

    /** @return the in-process server (not available against memcached) */
    MnemoServer server() {
        if (server == null) {
            throw new IllegalStateException("running against memcached");
        }
        return server;
    }

    /** @return the in-process server's store (not available against memcached) */
    Store store() {
        server();
        return store;
    }

    /** @return a raw client connected to the server, with a 5 s read timeout */
    RawClient connect() {
        return new RawClient(new InetSocketAddress("127.0.0.1", port));
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        } else {
            memcached.destroy();
            try {
                memcached.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
