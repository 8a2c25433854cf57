package dev.mnemo.server;

import dev.mnemo.protocol.ConnectionInfo;
import dev.mnemo.protocol.KeyPrefixStats;
import dev.mnemo.protocol.ServerContext;
import dev.mnemo.protocol.WatchLog;
import dev.mnemo.protocol.Settings;
import dev.mnemo.protocol.AuthFile;
import dev.mnemo.protocol.NegotiatingProtocol;
import dev.mnemo.protocol.Protocol;
import dev.mnemo.store.Store;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Mnemo server: memcached's text and binary protocols over TCP, and over UDP when
 * {@link Settings#udpPort()} is not 0, on {@link Settings#threads()} event loops and no other
 * thread (DESIGN.md, "Data flow"). The loops share all the work: the first one also accepts
 * connections and runs the expiry sweep; accepted connections are spread across
 * all loops in turn; each request is executed on the loop that read it. With {@code -t 1} the
 * whole server — accept, all I/O, every request, the sweep — runs on one thread, with no
 * hand-off between threads.
 *
 * <p>The sweep stalls the first loop for one segment's scan every
 * {@link #SWEEP_INTERVAL_MILLIS} ms (README.md, "Threads").
 *
 * <p>UDP: on epoll and io_uring each loop has its own UDP socket bound to the UDP port with
 * SO_REUSEPORT, so the kernel spreads datagrams across the loops. On epoll a socket is served
 * without a channel, up to {@link #DATAGRAMS_PER_READ} datagrams a read ({@link UdpSocket}); on
 * io_uring and NIO through a channel ({@link UdpHandler}), on NIO one socket on the first loop.
 *
 * <p>The Netty transport (epoll, io_uring or NIO) is chosen by {@link TransportChooser}.
 *
 * <p>TCP: one listener per {@code -l} address ({@link Listeners}); on a TLS listener each
 * connection's pipeline starts with the {@link TlsContext}'s handlers, so the protocols see
 * decrypted bytes. UDP stays plain, as in memcached.
 *
 * <p>It is also the {@link ServerContext} its connections' protocols see: connection counters,
 * bytes read and written, verbosity, shutdown, "stats conns".
 *
 * <p>Thread-safe. Start it with {@link #start}; {@link #close} stops it cleanly (closes the
 * listener and every connection, stops the event loops, then closes the store, which the server
 * owns from start on).
 */
public final class MnemoServer implements ServerContext, AutoCloseable {

    /**
     * Per-connection output water marks: above 1 MiB of unsent replies a connection stops being
     * read until fewer than 64 KiB remain (see {@link ConnectionHandler}).
     */
    public static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(64 * 1024, 1024 * 1024);

    /** The most bytes one socket read delivers, in bytes. */
    static final int MAX_READ_BYTES = 64 * 1024;

    /**
     * The fewest bytes one socket read asks for, in bytes (Netty's adaptive allocator's minimum,
     * also its first guess). Netty's default minimum of 64 bytes let a run of small gets shrink
     * the guess below a set's size, so each set then took two or three reads (an extra read
     * per op on a 90 % get load: docs/PERFORMANCE.md, "Cost per request"); memcached reads into
     * 16 KiB. A read buffer lives only while its requests execute, so the size costs nothing idle.
     */
    static final int MIN_READ_BYTES = 2048;

    /**
     * Segments the expiry sweep scans a second ({@link Store#sweepExpired}), one at a time, every
     * {@link #SWEEP_INTERVAL_MILLIS}: a step holds the store's segment lock and stalls the first
     * event loop for one segment's scan only (README.md, "Threads": about 0.2 ms for a 1 MiB
     * segment with nothing expired, about 3 ms when all of its ~23,000 small items have).
     */
    static final int SWEEP_SEGMENTS_PER_SECOND = 8;

    /** Time between two sweep steps of one segment each, in milliseconds. */
    static final long SWEEP_INTERVAL_MILLIS = 1000 / SWEEP_SEGMENTS_PER_SECOND;

    /** The largest datagram a UDP socket reads, in bytes: any UDP payload (at most 65,507 bytes) fits. */
    static final int MAX_DATAGRAM_BYTES = 64 * 1024;

    /**
     * Datagrams one read of a UDP socket takes at most, on epoll ({@link UdpSocket}): its read
     * buffer is this many slots of {@link #MAX_DATAGRAM_BYTES} (1 MiB a socket, made at its
     * first datagram), as Netty reads at most 16 messages per readiness event of a datagram
     * channel by default. With 32 clients waiting on their replies, one
     * recvmmsg(2) instead of one recvmsg(2) a datagram took the system calls per request from
     * 2.98 to 1.28 (docs/PERFORMANCE.md, "UDP: several datagrams a read"); 4 slots gave 1.76, 32
     * no fewer than 16.
     */
    static final int DATAGRAMS_PER_READ = 16;

    /**
     * Connections a listener accepts per event-loop iteration (Netty's MAX_MESSAGES_PER_READ on
     * the listening socket; Netty's default is 16). The epoll transport (Netty 4.2) and NIO are
     * level-triggered, so a listener with more connections waiting is reported again by the next
     * poll, after the loop has served every other ready connection: during a connection storm each
     * iteration of the first loop does at most this many accepts (each with its channel's set-up
     * and, one iteration later, its first request) besides the established connections' requests,
     * which bounds how long they wait (issue 16; docs/PERFORMANCE.md, "Connection storms").
     * memcached accepts one connection per libevent callback.
     */
    static final int ACCEPTS_PER_LOOP_ITERATION = 4;

    /** Pending-connection queue length, memcached's -b default. */
    private static final int LISTEN_BACKLOG = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(MnemoServer.class);

    private final Store store;
    private final long startNanos;
    private final EventLoopGroup workers;
    private final Map<EventExecutor, LoopCounters> countersByLoop;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AtomicLong currentConnections = new AtomicLong();
    private final AtomicLong totalConnections = new AtomicLong();
    private final AtomicLong rejectedConnections = new AtomicLong();
    private volatile ResetBaseline resetBaseline = new ResetBaseline(0, 0, 0, 0, 0);
    private final AtomicInteger nextConnectionId;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    /** The first TCP listener: its loop accepts and runs the sweep; its port is {@link #port()}. */
    private final Channel listener;
    /** Every TCP listener of -l, the first one first. */
    private final List<Channel> listeners;
    private final Listeners listening;
    /** The UDP sockets served through a channel (io_uring, NIO). */
    private final List<Channel> udpChannels;
    /** The UDP sockets served without one (epoll). */
    private final List<UdpSocket> udpSockets;
    /** The "stats conns" number of the first listener; the others follow it. */
    private final int listenerId;
    private final Transport transport;
    private volatile Settings settings;
    private volatile int verbosity;
    private final AuthFile authFile;
    private final KeyPrefixStats prefixStats = new KeyPrefixStats();
    private final WatchLog watchLog = new WatchLog();
    /** -o idle_timeout; none until {@link #startIdleTimeout}. */
    private volatile IdleTimeout idleTimeout = new IdleTimeout(0);
    /** The time requests read, ticked with the expiry sweep (the store's clock too, when {@link Main} opened it). */
    private final CurrentTime currentTime;

    private MnemoServer(Settings requested, Store store, int verbosity, AuthFile authFile, Transport transport,
                        Listeners listening, CurrentTime currentTime) {
        this.store = store;
        this.currentTime = currentTime;
        this.listening = listening;
        this.authFile = authFile;
        this.verbosity = verbosity;
        this.startNanos = System.nanoTime();
        this.transport = transport;
        this.workers = new MultiThreadIoEventLoopGroup(requested.threads(), new DefaultThreadFactory("mnemo-worker"),
                transport.ioHandlerFactory());
        Map<EventExecutor, LoopCounters> counters = new IdentityHashMap<>();
        for (EventExecutor loop : workers) {
            counters.put(loop, new LoopCounters(LoopCounters.AHEAD_BUDGET_BYTES / requested.threads()));
        }
        this.countersByLoop = counters;
        this.nextConnectionId = new AtomicInteger(1);
        this.listenerId = nextConnectionId.getAndAdd(listening.addresses().size()); // one number per listener
        // Connections may be accepted before the bound port is known: until then, the requested settings.
        this.settings = requested;
        // Always set: the log's one volatile read is all an eviction pays while no one watches evictions.
        store.setEvictionListener(watchLog);

        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(workers, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, LISTEN_BACKLOG)
                .option(ChannelOption.MAX_MESSAGES_PER_READ, ACCEPTS_PER_LOOP_ITERATION)
                .option(ChannelOption.SO_REUSEADDR, true)
                // no TCP_NODELAY child option: Netty's socket channels of every transport set it
                // when made (PlatformDependent.canEnableTcpNoDelayByDefault), and a second
                // setsockopt per connection was 1.5 % of the loop's CPU in a connection storm
                // a client's FIN is an event (ConnectionHandler closes once its replies are out),
                // not a close that could drop replies still in flight (io_uring writes asynchronously)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new LoopReadAllocator(
                        new AdaptiveRecvByteBufAllocator(MIN_READ_BYTES, MIN_READ_BYTES, MAX_READ_BYTES)));
        List<Channel> tcp = new ArrayList<>();
        List<Channel> udpChannels = new ArrayList<>();
        List<UdpSocket> udpSockets = new ArrayList<>();
        try {
            for (ListenAddress address : listening.addresses()) {
                TlsContext tls = address.tls() ? listening.tls() : null;
                tcp.add(bootstrap.clone().childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        if (tls != null) {
                            tls.addHandlers(channel); // TLS first: the connection sees decrypted bytes
                        }
                        int id = nextConnectionId.getAndIncrement();
                        channel.pipeline().addLast(new ConnectionHandler(MnemoServer.this,
                                new NegotiatingProtocol(store, MnemoServer.this, id),
                                countersByLoop.get(channel.eventLoop()), id));
                    }
                }).bind(address.host(), address.port()).syncUninterruptibly().channel());
            }
            this.listeners = List.copyOf(tcp);
            this.listener = tcp.getFirst();
            if (requested.udpPort() != 0) {
                bindUdp(requested, udpChannels, udpSockets);
            }
        } catch (RuntimeException e) {
            tcp.forEach(channel -> channel.close().syncUninterruptibly());
            udpChannels.forEach(channel -> channel.close().syncUninterruptibly());
            udpSockets.forEach(UdpSocket::closeOnLoop);
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
            throw e;
        }
        this.udpChannels = List.copyOf(udpChannels);
        this.udpSockets = List.copyOf(udpSockets);
        // The listener's loop (the first) ticks the time and runs the sweep, between its requests:
        // with -t 1 it is the only loop.
        listener.eventLoop().scheduleAtFixedRate(this::tick, SWEEP_INTERVAL_MILLIS, SWEEP_INTERVAL_MILLIS,
                TimeUnit.MILLISECONDS);
        int boundPort = ((InetSocketAddress) listener.localAddress()).getPort();
        this.settings = new Settings(requested.maxBytes(), requested.maxConnections(), boundPort, requested.udpPort(),
                requested.listenAddress(), requested.threads(), requested.maxItemSize(), requested.casEnabled(),
                requested.shutdownEnabled());
    }

    /**
     * Binds the UDP sockets: one per event loop with SO_REUSEPORT where the transport has it,
     * else one on the first loop; on epoll served without a channel ({@link UdpSocket}), else
     * through one ({@link UdpHandler}). Each socket has its own protocol instance. What is bound
     * before a failure is in the lists, for the caller to close.
     */
    private void bindUdp(Settings requested, List<Channel> channels, List<UdpSocket> sockets) {
        List<EventLoop> loops = new ArrayList<>();
        if (transport.reusePort() == null) {
            loops.add(listener.eventLoop());
        } else {
            workers.forEach(loop -> loops.add((EventLoop) loop));
        }
        for (EventLoop loop : loops) {
            NegotiatingProtocol protocol = new NegotiatingProtocol(store, this, Protocol.NO_CONNECTION);
            if (transport == Transport.EPOLL && UdpSocket.isAvailable()) {
                try {
                    sockets.add(UdpSocket.open((IoEventLoop) loop,
                            new InetSocketAddress(requested.listenAddress(), requested.udpPort()), protocol,
                            countersByLoop.get(loop)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e.getMessage(), e); // Main says which address and port
                }
                continue;
            }
            Bootstrap bootstrap = new Bootstrap()
                    .group(loop)
                    .channel(transport.datagramChannel())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                    .option(ChannelOption.RCVBUF_ALLOCATOR,
                            new LoopReadAllocator(new FixedRecvByteBufAllocator(MAX_DATAGRAM_BYTES)))
                    .handler(new UdpHandler(protocol, countersByLoop.get(loop)));
            if (transport.reusePort() != null) {
                bootstrap.option(transport.reusePort(), true);
            }
            channels.add(bootstrap.bind(requested.listenAddress(), requested.udpPort()).syncUninterruptibly().channel());
        }
    }

    /**
     * Binds the listener and starts serving on the fastest transport available
     * ({@link TransportChooser}, {@code --transport auto}).
     *
     * @param settings  what to serve with; a {@link Settings#tcpPort()} of 0 binds a free port,
     *                  which {@link #port()} and {@link #settings()} then report
     * @param store     the store to serve; the server closes it on {@link #close}
     * @param verbosity 0 quiet, 1 log connections, 2 also log commands
     * @return the running server
     * @throws RuntimeException (a {@link java.net.BindException} or Netty's native equivalent) if
     *                          the address cannot be bound; the store is then left open
     */
    public static MnemoServer start(Settings settings, Store store, int verbosity) {
        return start(settings, store, verbosity, null);
    }

    /**
     * Binds the listener and starts serving, with authentication when {@code authFile} is not
     * null (memcached -S / -Y).
     *
     * @param authFile the credentials every connection must present, or null for none
     * @see #start(Settings, Store, int)
     */
    public static MnemoServer start(Settings settings, Store store, int verbosity, AuthFile authFile) {
        return start(settings, store, verbosity, authFile, TransportChooser.choose(TransportChooser.AUTO));
    }

    /**
     * Binds the listener (and the UDP sockets) and starts serving on the given transport.
     *
     * @param transport the transport to run on, with why it was chosen (logged)
     * @see #start(Settings, Store, int, AuthFile)
     */
    static MnemoServer start(Settings settings, Store store, int verbosity, AuthFile authFile,
                             TransportChooser.Choice transport) {
        return start(settings, store, verbosity, authFile, transport, Listeners.plain(settings), new CurrentTime());
    }

    /**
     * Binds every listener of {@code listening} (the UDP sockets on the settings' address) and
     * starts serving; TLS listeners start each connection with a TLS handshake.
     *
     * @param listening   the TCP listeners and the TLS context of the TLS ones
     * @param currentTime the time the server's requests read, which it ticks (the store's clock when
     *                    the store was opened with it)
     * @see #start(Settings, Store, int, AuthFile)
     */
    static MnemoServer start(Settings settings, Store store, int verbosity, AuthFile authFile,
                             TransportChooser.Choice transport, Listeners listening, CurrentTime currentTime) {
        MnemoServer server = new MnemoServer(settings, store, verbosity, authFile, transport.transport(), listening,
                currentTime);
        Settings s = server.settings();
        int udpSockets = server.udpChannels.size() + server.udpSockets.size();
        LOG.info("mnemo {} listening on {}:{}{}{} ({}: {}), memory limit {} MiB, {} threads, max item size {} bytes, connection limit {}",
                version(), s.listenAddress(), s.tcpPort(), server.otherListeners(),
                s.udpPort() == 0 ? "" : " and UDP port " + s.udpPort() + " [" + udpSockets
                        + (udpSockets == 1 ? " socket]" : " sockets]"),
                transport.transport().cliName(), transport.reason(), s.maxBytes() >> 20, s.threads(), s.maxItemSize(),
                s.maxConnections());
        return server;
    }

    /** @return ", TLS (engine)" when the first listener is TLS, then the other listeners, for the start log */
    private String otherListeners() {
        StringBuilder text = new StringBuilder();
        if (listening.addresses().getFirst().tls()) {
            text.append(" TLS (").append(listening.tls().engine()).append(')');
        }
        for (int i = 1; i < listeners.size(); i++) {
            InetSocketAddress bound = (InetSocketAddress) listeners.get(i).localAddress();
            ListenAddress address = listening.addresses().get(i);
            text.append(" and ").append(new ListenAddress(address.host(), bound.getPort(), address.tls()));
        }
        return text.toString();
    }

    /**
     * @param index the listener's place in -l, from 0
     * @return the TCP port that listener is bound to (the bound one when asked for port 0)
     */
    int listenerPort(int index) {
        return ((InetSocketAddress) listeners.get(index).localAddress()).getPort();
    }

    /**
     * @param index the listener's place in -l, from 0
     * @return that listener's channel (its event loop, its options), for tests
     */
    Channel listener(int index) {
        return listeners.get(index);
    }

    /** @return the channels of the client connections open now, for tests */
    List<Channel> clientChannels() {
        return List.copyOf(connections);
    }

    /** @return the TCP port the server listens on (the bound one when started with port 0) */
    public int port() {
        return settings().tcpPort();
    }

    /** @return "epoll", "io_uring" or "nio", the Netty transport in use */
    public String transport() {
        return transport.cliName();
    }

    /** @return the event loop of each UDP socket bound (one per event loop with SO_REUSEPORT, else one; none without -U) */
    List<EventLoop> udpLoops() {
        List<EventLoop> loops = new ArrayList<>();
        udpChannels.forEach(channel -> loops.add(channel.eventLoop()));
        udpSockets.forEach(socket -> loops.add(socket.loop()));
        return loops;
    }

    /** @return the most reply bytes any one connection has had queued but unsent at once, since start */
    public long peakPendingOutputBytes() {
        long peak = 0;
        for (LoopCounters counters : countersByLoop.values()) {
            peak = Math.max(peak, counters.peakPendingOutputBytes());
        }
        return peak;
    }

    /** @return true until {@link #close} (or the "shutdown" command) begins: the server accepts requests */
    public boolean accepting() {
        return !closing.get();
    }

    /** @return each event loop's request latency histograms, for the metrics endpoint */
    List<RequestLatency> requestLatencies() {
        return countersByLoop.values().stream().map(LoopCounters::latency).toList();
    }

    /** Blocks until the server has stopped (after {@link #close} or the "shutdown" command). */
    public void awaitTermination() throws InterruptedException {
        try {
            terminated.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("termination is never completed exceptionally", e);
        }
    }

    /**
     * Stops the server: closes the listener, the UDP sockets and every connection, stops the event loops (waiting
     * up to a few seconds for running requests), then closes the store. Idempotent; a second
     * caller waits for the first to finish. Must not be called from one of the server's event
     * loops (use {@link #shutdown()} there).
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            terminated.join();
            return;
        }
        try {
            listeners.forEach(channel -> channel.close().syncUninterruptibly());
            udpChannels.forEach(channel -> channel.close().syncUninterruptibly());
            udpSockets.forEach(UdpSocket::closeOnLoop);
            connections.close().awaitUninterruptibly();
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            workers.terminationFuture().awaitUninterruptibly();
            store.close();
            LOG.info("mnemo stopped");
        } finally {
            terminated.complete(null);
        }
    }

    @Override
    public AuthFile authFile() {
        return authFile;
    }

    @Override
    public List<Map.Entry<String, String>> tlsStats() {
        return listening.tls() == null ? List.of() : listening.tls().statsLines();
    }

    @Override
    public List<Map.Entry<String, String>> tlsSettings() {
        return listening.tlsOptions().settingsLines();
    }

    /** {@inheritDoc} Also run on SIGHUP by {@link Main}. */
    @Override
    public String refreshCerts() {
        return listening.tls() == null ? ServerContext.super.refreshCerts() : listening.tls().refresh();
    }

    @Override
    public Settings settings() {
        return settings;
    }

    @Override
    public long uptimeSeconds() {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos);
    }

    @Override
    public long currentConnections() {
        return currentConnections.get();
    }

    @Override
    public long totalConnections() {
        return totalConnections.get() - resetBaseline.totalConnections;
    }

    @Override
    public long rejectedConnections() {
        return rejectedConnections.get() - resetBaseline.rejectedConnections;
    }

    @Override
    public long bytesRead() {
        return sumBytesRead() - resetBaseline.bytesRead;
    }

    /** {@inheritDoc} Counted when the replies are handed to the socket's channel. */
    @Override
    public long bytesWritten() {
        return sumBytesWritten() - resetBaseline.bytesWritten;
    }

    @Override
    public long connectionsThrottled() {
        return sumThrottled() - resetBaseline.throttled;
    }

    /**
     * {@inheritDoc} The counters keep running (each event loop is their only writer); a reset
     * records their values as the new zero.
     */
    @Override
    public void resetStats() {
        idleTimeout.resetStats();
        resetBaseline = new ResetBaseline(totalConnections.get(), rejectedConnections.get(),
                sumBytesRead(), sumBytesWritten(), sumThrottled());
    }

    private long sumBytesRead() {
        long sum = 0;
        for (LoopCounters counters : countersByLoop.values()) {
            sum += counters.bytesRead();
        }
        return sum;
    }

    private long sumBytesWritten() {
        long sum = 0;
        for (LoopCounters counters : countersByLoop.values()) {
            sum += counters.bytesWritten();
        }
        return sum;
    }

    private long sumThrottled() {
        long sum = 0;
        for (LoopCounters counters : countersByLoop.values()) {
            sum += counters.throttled();
        }
        return sum;
    }

    /** The counter values at the last "stats reset", subtracted from what the counters say. */
    private record ResetBaseline(long totalConnections, long rejectedConnections, long bytesRead,
                                 long bytesWritten, long throttled) {
    }

    @Override
    public int verbosity() {
        return verbosity;
    }

    @Override
    public void setVerbosity(int level) {
        verbosity = level;
    }

    /** Stops the server from another thread, so that an event loop may call it (the "shutdown" command). */
    @Override
    public void shutdown() {
        Thread stopper = new Thread(this::close, "mnemo-shutdown");
        stopper.start();
    }

    /**
     * {@inheritDoc} As memcached, the listener comes first: state {@code conn_listening}, no listen
     * address, idle since start; then each client connection in order of number.
     */
    @Override
    public KeyPrefixStats prefixStats() {
        return prefixStats;
    }

    @Override
    public WatchLog watchLog() {
        return watchLog;
    }

    @Override
    public List<ConnectionInfo> connections() {
        long now = System.nanoTime();
        List<ConnectionInfo> result = new ArrayList<>();
        for (int i = 0; i < listeners.size(); i++) {
            result.add(new ConnectionInfo(listenerId + i, describe(listeners.get(i).localAddress()), null,
                    "conn_listening", uptimeSeconds()));
        }
        List<ConnectionInfo> clients = new ArrayList<>();
        for (Channel channel : connections) {
            ConnectionHandler handler = channel.pipeline().get(ConnectionHandler.class);
            if (handler != null) {
                clients.add(handler.info(now));
            }
        }
        clients.sort(Comparator.comparingInt(ConnectionInfo::id));
        result.addAll(clients);
        return result;
    }

    /**
     * Admits a new connection unless that would pass the limit (-c).
     *
     * @return true if admitted (counted in curr/total_connections), false if refused (counted in
     *         rejected_connections)
     */
    boolean admitConnection(Channel channel) {
        if (currentConnections.incrementAndGet() > settings().maxConnections()) {
            currentConnections.decrementAndGet();
            rejectedConnections.incrementAndGet();
            return false;
        }
        totalConnections.incrementAndGet();
        connections.add(channel);
        return true;
    }

    /**
     * Starts memcached's idle timeout ({@code -o idle_timeout}): from now on, connections that
     * complete no command for more than {@code seconds} seconds are closed ({@link IdleTimeout}).
     * Call once, right after {@link #start}.
     *
     * @param seconds the timeout in seconds; 0 or less: none (memcached's default)
     */
    public void startIdleTimeout(int seconds) {
        IdleTimeout timeout = new IdleTimeout(seconds);
        idleTimeout = timeout;
        timeout.start(workers, connections);
    }

    @Override
    public int idleTimeoutSeconds() {
        return idleTimeout.seconds();
    }

    @Override
    public long idleKicks() {
        return idleTimeout.kicks();
    }

    /** Counts an admitted connection closing. */
    void connectionClosed() {
        currentConnections.decrementAndGet();
    }

    private void tick() {
        currentTime.tick();
        try {
            store.sweepExpired(1);
        } catch (RuntimeException e) {
            LOG.warn("expiry sweep failed", e);
        }
    }

    /** @return the time the server's requests read */
    CurrentTime currentTime() {
        return currentTime;
    }

    /** @return memcached's form of a socket address, {@code tcp:<ip>:<port>} */
    static String describe(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return "tcp:" + inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    /** @return Mnemo's version, e.g. {@code 0.1.0-SNAPSHOT} */
    public static String version() {
        try (InputStream stream = MnemoServer.class.getResourceAsStream("version.properties")) {
            Properties properties = new Properties();
            properties.load(stream);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
