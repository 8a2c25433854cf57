package dev.mnemo.server;

import dev.mnemo.protocol.Settings;
import dev.mnemo.store.Store;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import net.spy.memcached.AddrUtil;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.MemcachedClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * --transport: every value starts a server that serves TCP (spymemcached) and UDP and shuts down
 * cleanly; auto falls back to NIO when the native transports are missing (forced with the test
 * hook); a named transport that is missing is refused with exit status 71.
 */
@Timeout(60)
class TransportTest {

    @ParameterizedTest
    @ValueSource(strings = {"auto", "epoll", "io_uring", "nio"})
    void eachTransportServesAndShutsDownCleanly(String name) throws Exception {
        assumeFalse(RunningServer.againstMemcached());
        Transport named = Transport.named(name);
        assumeTrue(named == null || named.isAvailable(), name + " is not available here");
        Transport expected = named != null ? named : TransportChooser.choose("auto").transport();
        int port;
        try (RunningServer server = RunningServer.startWithUdp("--transport", name, "-t", "2")) {
            assertEquals(expected.cliName(), server.server().transport());
            port = server.port();
            serveSetAndGet(server.port());
            try (UdpClient udp = server.udp()) {
                assertEquals("VALUE spy 0 5\r\nhello\r\nEND\r\n", udp.exchange(1, "get spy\r\n"));
            }
        }
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close(), "still listening after close");
    }

    /** Netty's socket channels set TCP_NODELAY when made; the server does not set it again. */
    @ParameterizedTest
    @ValueSource(strings = {"epoll", "io_uring", "nio"})
    void acceptedConnectionsSendWithoutNaglesDelay(String name) throws Exception {
        assumeFalse(RunningServer.againstMemcached());
        assumeTrue(Transport.named(name).isAvailable(), name + " is not available here");
        try (RunningServer server = RunningServer.start("--transport", name, "-t", "2");
             Socket client = new Socket("127.0.0.1", server.port())) {
            client.getOutputStream().write("version\r\n".getBytes(StandardCharsets.US_ASCII));
            client.getInputStream().read(new byte[64]); // answered: the connection is admitted
            List<Channel> accepted = server.server().clientChannels();
            assertEquals(1, accepted.size());
            assertEquals(true, accepted.getFirst().config().getOption(ChannelOption.TCP_NODELAY));
        }
    }

    /**
     * Datagrams that wait in a UDP socket together are read together (on epoll one recvmmsg(2)
     * into the slots of the socket's read buffer, answered with one sendmmsg(2)), and each is answered as
     * if read alone: sets of 1 B to 12 KB and gets of them, in the order sent, the gets'
     * replies byte for byte, the longer ones split into numbered datagrams.
     */
    @ParameterizedTest
    @ValueSource(strings = {"epoll", "io_uring", "nio"})
    void datagramsWaitingTogetherAreEachAnsweredInOrder(String name) throws Exception {
        assumeFalse(RunningServer.againstMemcached());
        assumeTrue(Transport.named(name).isAvailable(), name + " is not available here");
        int[] valueLengths = {1, 100, 1392, 1393, 5000, 12000, 3, 60, 2000, 700, 8000, 10};
        try (RunningServer server = RunningServer.startWithUdp("--transport", name, "-t", "1");
             UdpClient udp = server.udp()) {
            EventLoop loop = server.server().udpLoops().getFirst();
            CountDownLatch sent = new CountDownLatch(1);
            loop.execute(() -> awaitUninterruptibly(sent)); // the loop reads nothing until all wait
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < valueLengths.length; i++) {
                String value = Character.toString('a' + i).repeat(valueLengths[i]);
                udp.send(3 * i, "set k" + i + " " + i + " 0 " + value.length() + "\r\n" + value + "\r\n");
                udp.send(3 * i + 1, "get k" + i + "\r\n");
                udp.send(3 * i + 2, "get k" + i + " nokey\r\n");
                expected.add("STORED\r\n");
                expected.add("VALUE k" + i + " " + i + " " + value.length() + "\r\n" + value + "\r\nEND\r\n");
                expected.add(expected.getLast());
            }
            sent.countDown();
            for (int id = 0; id < expected.size(); id++) {
                String reply = new String(UdpClient.payload(udp.receiveMessage(id)), StandardCharsets.ISO_8859_1);
                assertEquals(expected.get(id), reply, "reply to request " + id);
            }
        }
    }

    /**
     * The replies of one read all arrive, byte for byte, when they pass the bytes held before
     * sending ({@link UdpSocket#SEND_BYTES}: a 70 KB value in 51 datagrams, then a small one
     * written after the replies buffer was sent and emptied) and when one reply takes more
     * datagrams than one sendmmsg(2) sends ({@link UdpSocket#SEND_MESSAGES}: a 91 KB value in 66).
     * Each read's 52 or 67 datagrams fit a default receive buffer of the client (212,992 bytes).
     */
    @ParameterizedTest
    @ValueSource(strings = {"epoll", "io_uring", "nio"})
    void aReadWhoseRepliesTakeMoreThanOneSendIsAnsweredWhole(String name) throws Exception {
        assumeFalse(RunningServer.againstMemcached());
        assumeTrue(Transport.named(name).isAvailable(), name + " is not available here");
        try (RunningServer server = RunningServer.startWithUdp("--transport", name, "-t", "1");
             UdpClient udp = server.udp();
             RawClient tcp = server.connect()) {
            for (String key : List.of("k70000", "k91000")) { // too long for a request datagram
                int length = Integer.parseInt(key.substring(1));
                tcp.send("set " + key + " 1 0 " + length + "\r\n" + "v".repeat(length) + "\r\n");
                assertEquals("STORED\r\n", tcp.readLine());
            }
            assertEquals("STORED\r\n", udp.exchange(1, "set small 2 0 5\r\nsmall\r\n"));
            EventLoop loop = server.server().udpLoops().getFirst();
            int requestId = 2;
            for (String key : List.of("k70000", "k91000")) {
                CountDownLatch sent = new CountDownLatch(1);
                loop.execute(() -> awaitUninterruptibly(sent)); // the two gets are read together
                udp.send(requestId, "get " + key + "\r\n");
                udp.send(requestId + 1, "get small\r\n");
                sent.countDown();
                int length = Integer.parseInt(key.substring(1));
                assertEquals("VALUE " + key + " 1 " + length + "\r\n" + "v".repeat(length) + "\r\nEND\r\n",
                        new String(UdpClient.payload(udp.receiveMessage(requestId)), StandardCharsets.ISO_8859_1));
                assertEquals("VALUE small 2 5\r\nsmall\r\nEND\r\n",
                        new String(UdpClient.payload(udp.receiveMessage(requestId + 1)), StandardCharsets.ISO_8859_1));
                requestId += 2;
            }
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void autoPrefersTheFirstAvailableOfTheAutoOrder() {
        TransportChooser.Choice choice = TransportChooser.choose("auto", true);
        Transport first = TransportChooser.AUTO_ORDER.stream().filter(Transport::isAvailable).findFirst().orElseThrow();
        assertEquals(first, choice.transport());
        assertTrue(choice.reason().startsWith("the first available of epoll > io_uring > nio"), choice.reason());
        assertEquals(Transport.NIO, TransportChooser.AUTO_ORDER.getLast());
    }

    @Test
    void autoFallsBackToNioWithoutTheNativeTransportsAndSaysWhy() throws Exception {
        assumeFalse(RunningServer.againstMemcached());
        TransportChooser.Choice choice = TransportChooser.choose("auto", false);
        assertEquals(Transport.NIO, choice.transport());
        assertTrue(choice.reason().contains("not epoll: native transports disabled")
                && choice.reason().contains("not io_uring: native transports disabled"), choice.reason());
        ServerOptions options = new ServerOptions();
        ServerOptions.commandLine(options).parseArgs("-p", "0", "-m", "16");
        Settings settings = options.settings();
        try (MnemoServer server = MnemoServer.start(settings, options.storeBuilder().sweepExpiredInBackground(false).open(), 0, null, choice)) {
            assertEquals("nio", server.transport());
            serveSetAndGet(server.port());
        }
    }

    @Test
    void aNamedTransportThatIsMissingIsRefused() {
        TransportChooser.UnavailableTransportException refused = assertThrows(
                TransportChooser.UnavailableTransportException.class, () -> TransportChooser.choose("io_uring", false));
        assertTrue(refused.getMessage().startsWith("transport io_uring is not available here"), refused.getMessage());
        assertEquals(Transport.NIO, TransportChooser.choose("nio", false).transport());
    }

    @Test
    void theCommandExits71WhenTheNamedTransportIsMissing() throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process process = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-D" + TransportChooser.NO_NATIVE_PROPERTY + "=true",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "-p", "0", "--transport", "epoll")
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the command did not exit");
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(Main.EXIT_BIND, process.exitValue(), output);
        assertTrue(output.contains("mnemo: transport epoll is not available here"), output);
    }

    private static void serveSetAndGet(int port) throws Exception {
        MemcachedClient client = new MemcachedClient(new ConnectionFactoryBuilder().setOpTimeout(5000).build(),
                AddrUtil.getAddresses(new InetSocketAddress("127.0.0.1", port).getHostString() + ":" + port));
        try {
            assertTrue(client.set("spy", 0, "hello").get(5, TimeUnit.SECONDS));
            assertEquals("hello", client.get("spy"));
        } finally {
            client.shutdown(5, TimeUnit.SECONDS);
        }
    }
}
