package dev.mnemo.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The reference for {@link ColocatedBenchmark}: one text-protocol {@code get} of a present item
 * (10-byte key, {@value StoreBenchmark#VALUE_LENGTH}-byte value) over loopback TCP to the server
 * at {@code -p port=N} (Mnemo or memcached), one request in flight on a blocking socket with
 * TCP_NODELAY, the whole reply read. Sample time mode: JMH prints the percentiles.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TcpGetBenchmark {

    private static final String KEY = "bench-key1";

    /** The server's TCP port on 127.0.0.1. */
    @Param("11211")
    public int port;

    private SocketChannel channel;
    private ByteBuffer request;
    private ByteBuffer reply;

    @Setup
    public void setUp() throws IOException {
        channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        String value = "v".repeat(StoreBenchmark.VALUE_LENGTH);
        exchange(ByteBuffer.wrap(("set " + KEY + " 0 0 " + value.length() + "\r\n" + value + "\r\n")
                .getBytes(StandardCharsets.US_ASCII)), "STORED\r\n".length());
        request = ByteBuffer.allocateDirect(64).put(("get " + KEY + "\r\n").getBytes(StandardCharsets.US_ASCII)).flip();
        String expected = "VALUE " + KEY + " 0 " + value.length() + "\r\n" + value + "\r\nEND\r\n";
        reply = ByteBuffer.allocateDirect(expected.length());
        getHit();
        reply.flip();
        byte[] got = new byte[reply.remaining()];
        reply.get(got);
        if (!expected.equals(new String(got, StandardCharsets.US_ASCII))) {
            throw new IllegalStateException("unexpected reply: " + new String(got, StandardCharsets.US_ASCII));
        }
    }

    @TearDown
    public void tearDown() throws IOException {
        channel.close();
    }

    @Benchmark
    public int getHit() {
        request.rewind();
        reply.clear();
        try {
            channel.write(request);
            while (reply.hasRemaining()) {
                if (channel.read(reply) < 0) {
                    throw new IllegalStateException("the server closed the connection");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return reply.get(0);
    }

    private void exchange(ByteBuffer out, int replyLength) throws IOException {
        channel.write(out);
        ByteBuffer in = ByteBuffer.allocate(replyLength);
        while (in.hasRemaining() && channel.read(in) >= 0) {
            // read the whole reply
        }
    }
}
