package dev.mnemo.server;

import dev.mnemo.protocol.AuthFile;
import dev.mnemo.protocol.Settings;
import dev.mnemo.store.Store;
import dev.mnemo.store.StoreBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import sun.misc.Signal;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The {@code mnemo} command: parses memcached's flags ({@link ServerOptions}), opens the store,
 * starts the {@link MnemoServer} and runs until the "shutdown" command (with -A), SIGTERM or
 * SIGINT, which a shutdown hook turns into a clean stop. With an auth file (-S / -Y), SIGHUP
 * re-reads it, as memcached does; with TLS (-Z) it also reloads the certificate and key, as the
 * "refresh_certs" command does.
 *
 * <p>With a memory file (-e) the store is mapped from it: a restart with the same file, after a
 * clean stop or a SIGKILL, brings the items back (warm restart), and co-located processes may
 * attach to it ({@link Store#attach}).
 *
 * <p>Exit status: 0 after a clean stop or for --help / --version, 64 (EX_USAGE) for a bad
 * command line or, as memcached, a TLS certificate, key or CA file that cannot be loaded, 1 if the store cannot be opened (e.g. a memory file of another geometry), 71
 * (EX_OSERR, as memcached) if the address (or the --metrics-port one) cannot be bound or the transport named by --transport
 * does not work on this machine.
 */
public final class Main {

    /** Exit status for an unknown flag or a bad value (sysexits.h EX_USAGE). */
    static final int EXIT_USAGE = 64;
    /** Exit status when the store refuses the configuration. */
    static final int EXIT_STORE = 1;
    /**
     * Exit status when the listen address cannot be bound (sysexits.h EX_OSERR, as memcached) or
     * the transport asked for is unavailable (its native library or kernel support is missing).
     */
    static final int EXIT_BIND = 71;

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    /** @param args memcached-style flags, see {@code mnemo --help} */
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(args, out, err));
    }

    /**
     * Runs the command; returns only when it is done (at once for --help, --version and errors,
     * after the server stops otherwise).
     *
     * @return the exit status
     */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        ServerOptions options = new ServerOptions();
        CommandLine commandLine = ServerOptions.commandLine(options);
        Settings settings;
        StoreBuilder storeBuilder;
        AuthFile authFile;
        List<ListenAddress> addresses;
        TlsOptions tlsOptions;
        TransportChooser.Choice transport;
        InetSocketAddress metricsAddress;
        int idleTimeoutSeconds;
        Byte prefixDelimiter;
        try {
            commandLine.parseArgs(args);
            if (commandLine.isUsageHelpRequested()) {
                commandLine.usage(out);
                return 0;
            }
            if (commandLine.isVersionHelpRequested()) {
                commandLine.printVersionHelp(out);
                return 0;
            }
            settings = options.settings();
            storeBuilder = options.storeBuilder();
            authFile = options.authFile();
            addresses = options.listeners();
            tlsOptions = options.tls();
            prefixDelimiter = options.prefixDelimiter();
            metricsAddress = options.metricsAddress();
            idleTimeoutSeconds = options.idleTimeoutSeconds();
        } catch (ParameterException e) {
            err.println("mnemo: " + e.getMessage());
            err.println("Try 'mnemo --help' for more information.");
            return EXIT_USAGE;
        }
        try {
            transport = TransportChooser.choose(options.transport());
        } catch (TransportChooser.UnavailableTransportException e) {
            err.println("mnemo: " + e.getMessage());
            return EXIT_BIND;
        }

        TlsContext tls = null;
        if (tlsOptions.enabled()) {
            try {
                tls = TlsContext.load(tlsOptions);
            } catch (TlsContext.LoadException e) {
                err.println("mnemo: " + e.getMessage());
                return EXIT_USAGE; // memcached's status for a certificate or key it cannot load
            }
        }
        Store store;
        CurrentTime currentTime = new CurrentTime(); // the store's clock: requests read it, the server ticks it
        try {
            store = storeBuilder.clock(currentTime).open();
        } catch (RuntimeException e) {
            err.println("mnemo: cannot open the store: " + e.getMessage());
            return EXIT_STORE;
        }
        long itemsAtStart = store.memoryFile() == null ? 0 : store.stats().currItems();
        if (store.memoryFile() != null) {
            LOG.info("memory file {} holds {} items", store.memoryFile(), itemsAtStart);
        }
        if (authFile != null || tls != null) {
            reloadOnHangup(authFile, tls); // before the start is logged: a SIGHUP from then on reloads
        }
        MnemoServer server;
        try {
            server = MnemoServer.start(settings, store, options.verbosity(), authFile, transport,
                    new Listeners(addresses, tlsOptions, tls), currentTime);
        } catch (Exception e) {
            store.close();
            err.println("mnemo: failed to listen on " + settings.listenAddress() + ":" + settings.tcpPort()
                    + (settings.udpPort() == 0 ? "" : " (UDP " + settings.udpPort() + ")") + ": " + e.getMessage());
            return EXIT_BIND;
        }
        if (prefixDelimiter != null) {
            server.prefixStats().useDelimiter(prefixDelimiter);
        }
        server.startIdleTimeout(idleTimeoutSeconds);
        MetricsEndpoint metrics = null;
        try {
            metrics = metricsAddress == null ? null : MetricsEndpoint.start(metricsAddress, server, store, itemsAtStart);
        } catch (IOException | RuntimeException e) {
            server.close();
            err.println("mnemo: failed to serve metrics on " + metricsAddress.getHostString() + ":"
                    + metricsAddress.getPort() + ": " + e.getMessage());
            return EXIT_BIND;
        }
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "mnemo-shutdown-hook"));
        } catch (IllegalStateException exiting) {
            // SIGTERM or SIGINT arrived while starting, before stopOnTermination: the JVM is already exiting
            server.close();
            if (metrics != null) {
                metrics.close();
            }
            return 0;
        }
        stopOnTermination(server);
        try {
            server.awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
        }
        if (metrics != null) {
            metrics.close(); // after the server: /healthz says 503 while it stops
        }
        return 0;
    }

    /**
     * On SIGTERM or SIGINT, stops the server, after which {@link #run} returns 0: a clean stop
     * exits with status 0, as memcached's does (the JVM's own handling would exit with 143,
     * which service managers read as a failure). The shutdown hook still stops the server on
     * any other exit.
     */
    private static void stopOnTermination(MnemoServer server) {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> server.close());
        }
    }

    /**
     * On SIGHUP, re-reads the auth file, as memcached does, and reloads the TLS certificate and
     * key, as "refresh_certs" does; a bad file keeps the old credentials or certificate (logged).
     *
     * @param authFile the credentials, or null without -S / -Y
     * @param tls      the TLS context, or null without -Z
     */
    private static void reloadOnHangup(AuthFile authFile, TlsContext tls) {
        Signal.handle(new Signal("HUP"), signal -> {
            if (authFile != null) {
                try {
                    authFile.reload();
                    LOG.info("re-read the auth file {}", authFile.path());
                } catch (IOException e) {
                    LOG.warn("cannot re-read the auth file, keeping the old credentials: {}", e.getMessage());
                }
            }
            if (tls != null) {
                tls.refresh(); // logs the outcome
            }
        });
    }
}
