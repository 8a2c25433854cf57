package dev.mnemo.server;

import dev.mnemo.protocol.AuthFile;
import dev.mnemo.protocol.Settings;
import dev.mnemo.store.Store;
import dev.mnemo.store.StoreBuilder;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of the Mnemo server: memcached 1.6's flags, names and defaults for the
 * options Mnemo has, with memcached's error messages for out-of-range values. Two differences
 * from memcached, both documented in README.md: {@code -l} defaults to 127.0.0.1 (memcached: all
 * interfaces), and {@code -p 0} binds a free port (memcached: no TCP).
 *
 * <p>Not thread-safe: picocli fills one instance from one command line.
 */
@Command(name = "mnemo", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = ServerOptions.Version.class,
        description = "A memcached-compatible cache for the JVM (memcached text, meta and binary protocols over TCP, TLS and UDP).")
public final class ServerOptions {

    /** memcached's bounds for -I, in bytes. */
    static final int MIN_ITEM_SIZE = 1024;
    static final int MAX_ITEM_SIZE = 1024 * 1024 * 1024;

    @Spec
    private CommandSpec spec;

    @Option(names = {"-p", "--port"}, paramLabel = "<num>",
            description = "TCP port to listen on (default: ${DEFAULT-VALUE}; 0 binds a free port)")
    private int port = 11211;

    @Option(names = {"-U", "--udp-port"}, paramLabel = "<num>",
            description = "UDP port to listen on (default: ${DEFAULT-VALUE}, off)")
    private int udpPort;

    @Option(names = {"-l", "--listen"}, paramLabel = "<addr>",
            description = "interface to listen on, [notls:]<host>[:<port>]; several separated by commas or by repeating -l "
                    + "(default: 127.0.0.1; memcached's default is all interfaces); with -Z, notls: makes a plain listener")
    private List<String> listen = new ArrayList<>();

    @Option(names = {"-A", "--enable-shutdown"}, description = "enable ascii \"shutdown\" command")
    private boolean enableShutdown;

    @Option(names = {"-m", "--memory-limit"}, paramLabel = "<num>",
            description = "item memory in megabytes (default: ${DEFAULT-VALUE})")
    private long memoryLimitMegabytes = 64;

    @Option(names = {"-c", "--conn-limit"}, paramLabel = "<num>",
            description = "max simultaneous connections (default: ${DEFAULT-VALUE})")
    private int connectionLimit = 1024;

    @Option(names = {"-v", "--verbose"},
            description = "verbose: -v logs connections, -vv also logs client commands")
    private boolean[] verbose = new boolean[0];

    @Option(names = {"-t", "--threads"}, paramLabel = "<num>",
            description = "number of worker threads (event loops) to use (default: ${DEFAULT-VALUE})")
    private int threads = 4;

    @Option(names = {"-C", "--disable-cas"}, description = "disable use of CAS")
    private boolean disableCas;

    @Option(names = {"-I", "--max-item-size"}, paramLabel = "<num>",
            description = "max value size in bytes, with an optional k or m suffix (default: ${DEFAULT-VALUE}, min: 1k, max: 1024m)")
    private String maxItemSize = "1m";

    @Option(names = {"--transport"}, paramLabel = "<name>",
            description = "network transport: auto (the fastest this machine has), epoll, io_uring or nio (default: ${DEFAULT-VALUE})")
    private String transport = TransportChooser.AUTO;

    @Option(names = {"-S", "--enable-sasl"},
            description = "require authentication: SASL PLAIN (binary) or a \"username password\" set (text), checked against --auth-file")
    private boolean enableSasl;

    @Option(names = {"-Y", "--auth-file"}, paramLabel = "<file>",
            description = "credentials, one user:password per line (memcached's -Y format); turns authentication on; re-read on SIGHUP")
    private Path authFile;

    @Option(names = {"-e", "--memory-file"}, paramLabel = "<file>",
            description = "map the store from this file (tmpfs such as /dev/shm for speed): items survive a restart, "
                    + "even after SIGKILL, and co-located processes may attach to it (default: anonymous memory)")
    private Path memoryFile;

    @Option(names = "--memory-file-mode", paramLabel = "<octal>",
            description = "permissions of a memory file this server creates (default: ${DEFAULT-VALUE}); "
                    + "whoever can read and write the file can read and write every item")
    private String memoryFileMode = "0600";

    @Option(names = "--metrics-port", paramLabel = "<num>",
            description = "serve Prometheus metrics on /metrics and a health check on /healthz at this HTTP port "
                    + "(default: off; 0 binds a free port, logged)")
    private Integer metricsPort;

    @Option(names = "--metrics-listen", paramLabel = "<addr>",
            description = "interface for --metrics-port (default: the -l address)")
    private String metricsListen;

    @Option(names = {"-D"}, paramLabel = "<char>",
            description = "use <char> as the delimiter between key prefixes and IDs, for \"stats detail\" "
                    + "(default: \":\"); turns per-prefix stats on")
    private String prefixDelimiter;

    @Option(names = {"-Z", "--enable-ssl"}, description = "enable TLS/SSL (needs -o ssl_chain_cert and ssl_key)")
    private boolean enableSsl;

    /** The -o sub-option read here; the others are TLS's ({@link TlsOptions}). */
    private static final String IDLE_TIMEOUT = "idle_timeout";

    @Option(names = {"-o", "--extended"}, paramLabel = "<opts>",
            description = "comma separated list of extended options: ssl_chain_cert=<file>, ssl_key=<file>, "
                    + "ssl_keyformat=<1 PEM|2 DER>, ssl_verify_mode=<0 none|1 request|2 require|3 once>, ssl_ca_cert=<file>, "
                    + "ssl_ciphers=<names>, ssl_min_version=<0 tlsv1.0|1 tlsv1.1|2 tlsv1.2|3 tlsv1.3> (default: 2), "
                    + "ssl_session_cache, ssl_wbuf_size=<kilobytes>, ssl_kernel_tls (accepted, no effect), "
                    + "idle_timeout=<seconds> (close connections idle that long; default: 0, no timeout)")
    private List<String> extended = new ArrayList<>();

    @Option(names = "--discard-memory-file",
            description = "start empty even if the memory file holds a store (of this geometry or another)")
    private boolean discardMemoryFile;

    /**
     * @param options the instance to fill
     * @return a parser for it that, as memcached, lets a later flag override an earlier one
     */
    static CommandLine commandLine(ServerOptions options) {
        return new CommandLine(options).setOverwrittenOptionsAllowed(true);
    }

    /**
     * Checks the values against memcached's rules and returns them as settings.
     *
     * @return the settings the server should run with
     * @throws ParameterException with memcached's message if a value is out of range
     */
    public Settings settings() {
        if (port < 0 || port > 65535) {
            throw invalid("TCP port must be 0 to 65535, was " + port);
        }
        if (udpPort < 0 || udpPort > 65535) {
            throw invalid("UDP port must be 0 to 65535, was " + udpPort);
        }
        if (udpPort != 0 && enableSasl) {
            throw invalid("Cannot enable UDP while using binary SASL authentication.");
        }
        if (udpPort != 0 && authFile != null) {
            throw invalid("Cannot use UDP with ascii authentication enabled (-U 0 to disable)");
        }
        if (!transport.equals(TransportChooser.AUTO) && Transport.named(transport) == null) {
            throw invalid("Invalid value for option '--transport': '" + transport
                    + "' is not one of auto, epoll, io_uring, nio");
        }
        tls();
        if (threads <= 0) {
            throw invalid("Number of threads must be greater than 0");
        }
        if (connectionLimit <= 0) {
            throw invalid("Maximum connections must be greater than 0");
        }
        if (memoryLimitMegabytes <= 0 || memoryLimitMegabytes > Long.MAX_VALUE >> 20) {
            throw invalid("Memory limit must be a positive number of megabytes, was " + memoryLimitMegabytes);
        }
        long maxBytes = memoryLimitMegabytes << 20;
        int itemSize = parseItemSize(maxItemSize);
        if (itemSize > maxBytes / 2) {
            throw invalid("Cannot set item size limit higher than 1/2 of memory max.");
        }
        return new Settings(maxBytes, connectionLimit, port, udpPort, listeners().getFirst().host(), threads, itemSize,
                !disableCas, enableShutdown);
    }

    /**
     * @return memcached -D's delimiter (the first byte of its argument), or null without -D
     * @throws ParameterException for an empty -D (memcached's "No delimiter specified")
     */
    Byte prefixDelimiter() {
        if (prefixDelimiter == null) {
            return null;
        }
        if (prefixDelimiter.isEmpty()) {
            throw invalid("No delimiter specified");
        }
        return prefixDelimiter.getBytes(StandardCharsets.UTF_8)[0];
    }

    /**
     * @return the TCP listeners of -l (127.0.0.1 at -p without -l), TLS ones when -Z is given
     * @throws ParameterException for a malformed address, or notls: without -Z (memcached's message)
     */
    List<ListenAddress> listeners() {
        try {
            return ListenAddress.parse(listen.isEmpty() ? List.of("127.0.0.1") : listen, port, enableSsl);
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
    }

    /**
     * @return -Z and the ssl_* sub-options of -o
     * @throws ParameterException with memcached's message for an unknown sub-option or a bad value
     */
    TlsOptions tls() {
        try {
            return TlsOptions.parse(enableSsl, extendedItems().stream().filter(item -> !isIdleTimeout(item)).toList());
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
    }

    /**
     * @return {@code -o idle_timeout=N} in seconds, read as memcached 1.6.18 reads it (C's atoi:
     *         an optional sign and the leading digits; anything else is 0); 0, no timeout, when
     *         not given. The last one given wins.
     * @throws ParameterException "Missing numeric argument for idle_timeout" when given without a value
     */
    public int idleTimeoutSeconds() {
        int seconds = 0;
        for (String item : extendedItems()) {
            if (item.equals(IDLE_TIMEOUT)) {
                throw invalid("Missing numeric argument for " + IDLE_TIMEOUT);
            }
            if (isIdleTimeout(item)) {
                seconds = atoi(item.substring(IDLE_TIMEOUT.length() + 1));
            }
        }
        return seconds;
    }

    /** @return every -o sub-option, {@code name[=value]}, in order */
    private List<String> extendedItems() {
        List<String> items = new ArrayList<>();
        for (String list : extended) {
            for (String item : list.split(",")) {
                if (!item.isEmpty()) {
                    items.add(item);
                }
            }
        }
        return items;
    }

    private static boolean isIdleTimeout(String item) {
        return item.equals(IDLE_TIMEOUT) || item.startsWith(IDLE_TIMEOUT + "=");
    }

    /** C's atoi, as memcached reads idle_timeout: leading spaces, a sign, digits; 0 if none; clamped to int. */
    private static int atoi(String text) {
        int i = 0;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        boolean negative = false;
        if (i < text.length() && (text.charAt(i) == '-' || text.charAt(i) == '+')) {
            negative = text.charAt(i) == '-';
            i++;
        }
        long value = 0;
        while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9' && value <= Integer.MAX_VALUE) {
            value = value * 10 + (text.charAt(i) - '0');
            i++;
        }
        value = negative ? -value : value;
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, value));
    }

    /**
     * @return a builder of the store these options ask for: memory limit, max item size, CAS and
     *         the memory file with its creation mode and whether to discard what it holds; no
     *         background sweeper (the server sweeps from its event loop)
     * @throws ParameterException if a value is out of range or --memory-file-mode is not an octal
     *                            mode of at most 0777
     */
    public StoreBuilder storeBuilder() {
        Settings settings = settings();
        if (!memoryFileMode.matches("0?[0-7]{1,3}")) {
            throw invalid("--memory-file-mode must be an octal mode such as 0600, was '" + memoryFileMode + "'");
        }
        if (discardMemoryFile && memoryFile == null) {
            throw invalid("--discard-memory-file needs --memory-file (-e)");
        }
        return Store.builder()
                .memoryLimit(settings.maxBytes())
                .maxItemSize(settings.maxItemSize())
                .casEnabled(settings.casEnabled())
                .memoryFile(memoryFile)
                .memoryFileMode(memoryFileMode)
                .discardExisting(discardMemoryFile)
                .sweepExpiredInBackground(false);
    }

    /**
     * @return the credentials of --auth-file, or null when authentication is off (neither -S nor -Y)
     * @throws ParameterException if -S is given without --auth-file, or the file cannot be read
     */
    public AuthFile authFile() {
        if (authFile == null) {
            if (enableSasl) {
                throw invalid("-S needs --auth-file (-Y): Mnemo checks SASL PLAIN credentials against that file");
            }
            return null;
        }
        try {
            return AuthFile.load(authFile);
        } catch (IOException e) {
            throw invalid("cannot read the auth file: " + e.getMessage());
        }
    }

    /**
     * @return where to serve metrics ({@link MetricsEndpoint}): --metrics-listen, else the first -l host, and
     *         --metrics-port; null when --metrics-port is not given (metrics are off)
     * @throws ParameterException if the port is out of range, or --metrics-listen is given without --metrics-port
     */
    InetSocketAddress metricsAddress() {
        if (metricsPort == null) {
            if (metricsListen != null) {
                throw invalid("--metrics-listen needs --metrics-port");
            }
            return null;
        }
        if (metricsPort < 0 || metricsPort > 65535) {
            throw invalid("Metrics port must be 0 to 65535, was " + metricsPort);
        }
        String host = metricsListen == null ? listeners().getFirst().host() : metricsListen;
        return InetSocketAddress.createUnresolved(host, metricsPort);
    }

    /** @return the --transport value: auto, epoll, io_uring or nio (checked by {@link #settings()}) */
    String transport() {
        return transport;
    }

    /** @return 0 quiet, 1 for -v, 2 for -vv (and more v's count on) */
    public int verbosity() {
        return verbose.length;
    }

    /** memcached's -I: a number of bytes, or kilobytes / megabytes with a k or m suffix (either case). */
    private int parseItemSize(String text) {
        long unit = 1;
        String digits = text;
        char last = text.isEmpty() ? ' ' : Character.toLowerCase(text.charAt(text.length() - 1));
        if (last == 'k' || last == 'm') {
            unit = last == 'k' ? 1024 : 1024 * 1024;
            digits = text.substring(0, text.length() - 1);
        }
        if (digits.isEmpty() || digits.length() > 10 || !digits.chars().allMatch(Character::isDigit)) {
            throw invalid("Invalid value for option '--max-item-size': '" + text
                    + "' is not a size (bytes, or a number with a k or m suffix)");
        }
        long bytes = Long.parseLong(digits) * unit;
        if (bytes < MIN_ITEM_SIZE) {
            throw invalid("Item max size cannot be less than 1024 bytes.");
        }
        if (bytes > MAX_ITEM_SIZE) {
            throw invalid("Cannot set item size limit higher than a gigabyte.");
        }
        return (int) bytes;
    }

    private ParameterException invalid(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** Prints {@code mnemo <version>} for -V, as memcached prints {@code memcached <version>}. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"mnemo " + MnemoServer.version()};
        }
    }
}
