package dev.mnemo.server;

import dev.mnemo.protocol.NegotiatingProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a connection's inbound buffer holds between reads (issue 16): nothing once its requests
 * are consumed, about the bytes of a partial request otherwise, never a socket read's worth
 * ahead of the bytes that arrived, and for a data block whose line has arrived at most
 * {@link ConnectionHandler#AHEAD_BYTES} (or the bytes held) ahead; and how the rest of such a
 * request is read into place (issue 13, large sets). Drives a {@link ConnectionHandler}
 * of a running server through an {@link EmbeddedChannel}; each read arrives, as from a socket
 * whose read size the allocator guessed large, in a {@value #READ_CAPACITY}-byte buffer.
 */
class ConnectionBufferTest {

    private static final int READ_CAPACITY = 64 * 1024;

    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = RunningServer.start("-I", "2m");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void largeValueInManyReadsGrowsAtMostItsAheadBoundAndIsReleasedWhenStored() {
        Connection c = new Connection();
        byte[] value = new byte[1_500_000];
        Arrays.fill(value, (byte) 'v');
        byte[] request = concat(("set big 0 0 " + value.length + "\r\n").getBytes(StandardCharsets.US_ASCII), value,
                "\r\n".getBytes(StandardCharsets.US_ASCII));
        int piece = 16 * 1024;
        for (int sent = 0; sent < request.length; sent += piece) {
            int n = Math.min(piece, request.length - sent);
            c.read(Arrays.copyOfRange(request, sent, sent + n));
            int received = sent + n;
            if (received < request.length) {
                int capacity = c.handler.heldInputCapacity();
                assertTrue(capacity >= received, "holds what arrived");
                assertTrue(capacity <= received + Math.max(received, ConnectionHandler.AHEAD_BYTES),
                        "holds " + capacity + " bytes after " + received + " arrived");
            }
        }
        assertEquals("STORED\r\n", c.reply());
        assertEquals(0, c.handler.heldInputCapacity(), "no buffer once the request is consumed");
        c.read("get big\r\n".getBytes(StandardCharsets.US_ASCII));
        byte[] expected = concat(("VALUE big 0 " + value.length + "\r\n").getBytes(StandardCharsets.US_ASCII), value,
                "\r\nEND\r\n".getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(expected, c.replyBytes(expected.length));
        assertEquals(0, c.handler.heldInputCapacity());
        c.close();
    }

    @Test
    void restOfAValueIsReadIntoPlaceAfterItsLine() {
        Connection c = new Connection();
        assertNull(c.handler.awaitedInput(), "nothing awaited on a new connection");
        byte[] value = new byte[100_000];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) (i * 31 + 7);
        }
        byte[] request = concat("set into-place 3 0 100000\r\n".getBytes(StandardCharsets.US_ASCII), value,
                "\r\nget into-place\r\n".getBytes(StandardCharsets.US_ASCII));
        int setLength = request.length - "get into-place\r\n".length();
        c.read(Arrays.copyOfRange(request, 0, 20));
        assertNull(c.handler.awaitedInput(), "the line has not all arrived");
        c.read(Arrays.copyOfRange(request, 20, 3000));
        int capacity = c.handler.heldInputCapacity();
        assertEquals(setLength, capacity, "room for the whole request once its line is in");
        int sent = 3000;
        while (sent < setLength) {
            ByteBuf into = c.handler.awaitedInput();
            assertEquals(setLength - sent, into.writableBytes(), "lends exactly what the request still needs");
            int n = Math.min(7_000, into.writableBytes());
            into.writeBytes(request, sent, n); // what the socket read would do
            sent += n;
            c.channel.writeInbound(into);
            if (sent < setLength) {
                assertEquals(capacity, c.handler.heldInputCapacity(), "read in place, not moved");
            }
        }
        assertEquals("STORED\r\n", c.reply());
        assertEquals(0, c.handler.heldInputCapacity());
        assertNull(c.handler.awaitedInput(), "nothing awaited once the request is consumed");
        c.read(Arrays.copyOfRange(request, setLength, request.length));
        byte[] expected = concat("VALUE into-place 3 100000\r\n".getBytes(StandardCharsets.US_ASCII), value,
                "\r\nEND\r\n".getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(expected, c.replyBytes(expected.length));
        c.close();
    }

    @Test
    void binaryAndMetaBodiesAreReadIntoPlaceToo() {
        byte[] value = new byte[20_000];
        Arrays.fill(value, (byte) 'm');
        Connection meta = new Connection();
        byte[] ms = concat("ms meta-key 20000 T0\r\n".getBytes(StandardCharsets.US_ASCII), value,
                "\r\n".getBytes(StandardCharsets.US_ASCII));
        meta.read(Arrays.copyOfRange(ms, 0, 100));
        ByteBuf into = meta.handler.awaitedInput();
        assertEquals(ms.length - 100, into.writableBytes());
        into.writeBytes(ms, 100, ms.length - 100);
        meta.channel.writeInbound(into);
        assertEquals("HD\r\n", meta.reply());
        meta.close();

        Connection binary = new Connection();
        ByteBuf set = ByteBufAllocator.DEFAULT.heapBuffer();
        set.writeByte(0x80).writeByte(0x01).writeShort(3).writeByte(8).writeByte(0).writeShort(0);
        set.writeInt(8 + 3 + value.length).writeInt(42).writeLong(0).writeLong(0);
        set.writeBytes("bin".getBytes(StandardCharsets.US_ASCII)).writeBytes(value);
        byte[] bytes = new byte[set.readableBytes()];
        set.readBytes(bytes);
        set.release();
        binary.read(Arrays.copyOfRange(bytes, 0, 40));
        into = binary.handler.awaitedInput();
        assertEquals(bytes.length - 40, into.writableBytes());
        into.writeBytes(bytes, 40, bytes.length - 40);
        binary.channel.writeInbound(into);
        byte[] reply = binary.replyBytes(24);
        assertEquals((byte) 0x81, reply[0]);
        assertEquals(0, reply[6] | reply[7], "status SUCCESS");
        binary.close();
        assertArrayEquals(value, server.store().get("bin".getBytes(StandardCharsets.US_ASCII)));
        assertArrayEquals(value, server.store().get("meta-key".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void stalledDataBlockKeepsAtMostItsAheadBound() {
        Connection c = new Connection();
        c.read("set stalled 0 0 1000000\r\n".getBytes(StandardCharsets.US_ASCII));
        int line = "set stalled 0 0 1000000\r\n".length();
        assertEquals(line + ConnectionHandler.AHEAD_BYTES, c.handler.heldInputCapacity(),
                "a declared megabyte is not allocated before it arrives");
        ByteBuf into = c.handler.awaitedInput();
        assertEquals(ConnectionHandler.AHEAD_BYTES, into.writableBytes());
        into.release(); // as Netty releases a read buffer when the read fails
        c.close();
    }

    @Test
    void roomAheadStopsAtTheLoopsBudgetAndComesBackWhenAConnectionCloses() {
        LoopCounters loop = new LoopCounters(2L * ConnectionHandler.AHEAD_BYTES);
        byte[] line = "set stalled 0 0 1000000\r\n".getBytes(StandardCharsets.US_ASCII);
        Connection first = new Connection(loop);
        Connection second = new Connection(loop);
        Connection third = new Connection(loop);
        first.read(line);
        second.read(line);
        third.read(line);
        assertEquals(line.length + ConnectionHandler.AHEAD_BYTES, first.handler.heldInputCapacity());
        assertEquals(line.length + ConnectionHandler.AHEAD_BYTES, second.handler.heldInputCapacity());
        assertEquals(line.length, third.handler.heldInputCapacity(), "the budget is spent: only the line is kept");
        assertNull(third.handler.awaitedInput(), "and its value is read as it comes, into the loop's buffer");
        byte[] part = new byte[1000];
        Arrays.fill(part, (byte) 'p');
        third.read(part);
        assertTrue(third.handler.heldInputCapacity() <= 2 * (line.length + part.length),
                "grows with its bytes: " + third.handler.heldInputCapacity());
        first.close();
        Connection fourth = new Connection(loop);
        fourth.read(line);
        assertEquals(line.length + ConnectionHandler.AHEAD_BYTES, fourth.handler.heldInputCapacity(),
                "a closed connection's room went back to the budget");
        second.close();
        third.close();
        fourth.close();
    }

    /**
     * The same pipelined stream of sets (text and meta, values of 0 B to 200 KB), gets and now
     * and then a set over the item size limit (refused, its block discarded), delivered in one read to one connection and cut at random points to another,
     * each piece read into place whenever the connection lends its buffer (as the epoll read
     * allocator does; up to what the request still needs) and into a socket-read buffer of at
     * most {@value #READ_CAPACITY} bytes otherwise: the replies must be the same bytes.
     */
    @Test
    void repliesAreTheSameHoweverTheStreamIsCutAndWhereverItIsRead() {
        Random random = new Random(20261206);
        int readsInPlace = 0;
        for (int round = 0; round < 20; round++) {
            long seed = random.nextLong();
            byte[] whole = stream(new Random(seed), "w" + round + "-");
            byte[] cut = stream(new Random(seed), "c" + round + "-");
            Connection one = new Connection();
            for (int at = 0; at < whole.length; at += READ_CAPACITY) { // full socket reads
                one.read(Arrays.copyOfRange(whole, at, Math.min(whole.length, at + READ_CAPACITY)));
            }
            String expected = one.reply().replace("w" + round + "-", "c" + round + "-");
            one.close();

            Connection pieces = new Connection();
            int sent = 0;
            while (sent < cut.length) {
                int n = Math.min(cut.length - sent, 1 + random.nextInt(random.nextBoolean() ? 64 : 2 * READ_CAPACITY));
                ByteBuf into = pieces.handler.awaitedInput();
                if (into != null) {
                    readsInPlace++;
                    n = Math.min(n, into.writableBytes());
                    into.writeBytes(cut, sent, n);
                    pieces.channel.writeInbound(into);
                } else {
                    n = Math.min(n, READ_CAPACITY); // a socket read into the loop's buffer
                    pieces.read(Arrays.copyOfRange(cut, sent, sent + n));
                }
                sent += n;
            }
            assertEquals(expected, pieces.reply(), "round " + round);
            assertEquals(0, pieces.handler.heldInputCapacity());
            pieces.close();
        }
        assertTrue(readsInPlace > 100, "read into place " + readsInPlace + " times");
    }

    /** @return a pipeline of 30 random requests whose keys start with {@code prefix} */
    private static byte[] stream(Random random, String prefix) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < 30; i++) {
            String key = prefix + random.nextInt(8);
            int kind = random.nextInt(100) == 0 ? 4 : random.nextInt(4);
            int length = random.nextInt(4) == 0 ? random.nextInt(200_000) : random.nextInt(300);
            byte[] value = new byte[length];
            random.nextBytes(value);
            switch (kind) {
                case 0, 1 -> {
                    out.writeBytes(("set " + key + " " + i + " 0 " + length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.writeBytes(value);
                    out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                case 2 -> {
                    out.writeBytes(("ms " + key + " " + length + " F" + i + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.writeBytes(value);
                    out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                case 3 -> out.writeBytes(("get " + key + "\r\n").getBytes(StandardCharsets.US_ASCII));
                default -> {
                    int tooLarge = 2 * 1024 * 1024 + 1; // -I 2m
                    out.writeBytes(("set " + key + " 0 0 " + tooLarge + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.writeBytes(new byte[tooLarge]);
                    out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
            }
        }
        out.writeBytes("mn\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    @Test
    void slowCommandLineKeepsOnlyItsBytes() {
        Connection c = new Connection();
        byte[] line = "get a-key-sent-one-byte-at-a-time\r\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < line.length - 1; i++) {
            c.read(new byte[] {line[i]});
            int capacity = c.handler.heldInputCapacity();
            assertTrue(capacity >= i + 1 && capacity <= ConnectionHandler.FIT_SLACK_BYTES + 2 * (i + 1),
                    "holds " + capacity + " bytes for a partial line of " + (i + 1));
        }
        c.read(new byte[] {line[line.length - 1]});
        assertEquals("END\r\n", c.reply());
        assertEquals(0, c.handler.heldInputCapacity());
        c.close();
    }

    @Test
    void partialRequestAfterPipelinedOnesLeavesTheLargeReadBuffer() {
        Connection c = new Connection();
        c.read("version\r\n".repeat(1000).concat("get half-a-li").getBytes(StandardCharsets.US_ASCII));
        assertTrue(c.handler.heldInputCapacity() <= ConnectionHandler.FIT_SLACK_BYTES,
                "holds " + c.handler.heldInputCapacity() + " bytes for 13");
        c.read("ne\r\n".getBytes(StandardCharsets.US_ASCII));
        String replies = c.reply();
        assertEquals(1000, replies.split("VERSION ", -1).length - 1);
        assertTrue(replies.endsWith("\r\nEND\r\n"), replies.substring(replies.length() - 40));
        assertEquals(0, c.handler.heldInputCapacity());
        c.close();
    }

    @Test
    void slowLineOverTheLimitIsRefused() {
        Connection c = new Connection();
        for (int sent = 0; sent < 2100 && c.channel.isActive(); sent += 100) {
            c.read("x".repeat(100).getBytes(StandardCharsets.US_ASCII));
            assertTrue(c.handler.heldInputCapacity() <= 2 * 2048 + ConnectionHandler.FIT_SLACK_BYTES);
        }
        c.channel.runPendingTasks();
        assertFalse(c.channel.isActive(), "memcached closes a connection whose line passes 2048 bytes");
        assertEquals(0, c.handler.heldInputCapacity());
        c.close();
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    /** A connection of the running server, on an embedded channel. */
    private static final class Connection {
        final ConnectionHandler handler;
        final EmbeddedChannel channel;

        Connection() {
            this(new LoopCounters(LoopCounters.AHEAD_BUDGET_BYTES));
        }

        /** @param loop the counters and budget of the event loop the connection is on */
        Connection(LoopCounters loop) {
            MnemoServer mnemo = server.server();
            handler = new ConnectionHandler(mnemo, new NegotiatingProtocol(server.store(), mnemo, 1_000_000),
                    loop, 1_000_000);
            channel = new EmbeddedChannel(handler);
        }

        /** Delivers {@code bytes} as one socket read into a large pooled direct buffer. */
        void read(byte[] bytes) {
            ByteBuf buffer = ByteBufAllocator.DEFAULT.directBuffer(Math.max(READ_CAPACITY, bytes.length));
            buffer.writeBytes(bytes);
            channel.writeInbound(buffer);
        }

        /** @return every reply byte written so far, as text */
        String reply() {
            return new String(replyBytes(-1), StandardCharsets.ISO_8859_1);
        }

        /** @return the reply bytes written so far; {@code expected} of them if not negative */
        byte[] replyBytes(int expected) {
            ByteBuf all = ByteBufAllocator.DEFAULT.heapBuffer();
            for (ByteBuf part = channel.readOutbound(); part != null; part = channel.readOutbound()) {
                all.writeBytes(part);
                part.release();
            }
            byte[] bytes = new byte[all.readableBytes()];
            all.readBytes(bytes);
            all.release();
            if (expected >= 0) {
                assertEquals(expected, bytes.length);
            }
            return bytes;
        }

        void close() {
            channel.finishAndReleaseAll();
        }
    }
}
