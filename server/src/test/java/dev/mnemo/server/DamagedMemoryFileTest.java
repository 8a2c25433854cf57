package dev.mnemo.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16, "Never serve damaged bytes", through the protocol: a server with a memory file
 * ({@code -e}) stores items, stops; 4 KiB of random bytes are written into the file at several
 * offsets (a fresh copy each time); the restarted server answers every get with a miss or
 * exactly the client flags and bytes stored under that key, and counts what it dropped in
 * badcrc_from_memory_file.
 */
class DamagedMemoryFileTest {

    private static final int KEYS = 50_000;
    private static final int DAMAGE = 4096;
    private static final int BATCH = 100;

    private static String key(int i) {
        return "key:" + i;
    }

    /** Key i's value: 0 to 299 printable bytes from a seed of i. */
    private static byte[] value(int i) {
        SplittableRandom random = new SplittableRandom(i * 0x9E3779B97F4A7C15L);
        byte[] value = new byte[random.nextInt(300)];
        for (int b = 0; b < value.length; b++) {
            value[b] = (byte) ('!' + random.nextInt(94));
        }
        return value;
    }

    private static long flags(int i) {
        return (i * 2_654_435_761L) & 0xFFFF_FFFFL;
    }

    private static MnemoServer start(Path file) {
        ServerOptions options = new ServerOptions();
        ServerOptions.commandLine(options).parseArgs("-p", "0", "-l", "127.0.0.1", "-m", "8", "-t", "1", "-e", file.toString());
        return MnemoServer.start(options.settings(), options.storeBuilder().sweepExpiredInBackground(false).open(), 0);
    }

    @Test
    @Timeout(120)
    void everyGetAfterARestartOnADamagedFileIsAMissOrExact(@TempDir Path temp) throws Exception {
        Path directory = ColocatedCrashTest.memoryDirectory(temp);
        try {
            Path pristine = directory.resolve("pristine.mem");
            MnemoServer server = start(pristine);
            try (Connection c = new Connection(server.port())) {
                for (int i = 0; i < KEYS; i++) {
                    byte[] v = value(i);
                    c.write("set " + key(i) + " " + flags(i) + " 0 " + v.length + " noreply\r\n");
                    c.write(v);
                    c.write("\r\n");
                }
                c.write("mn\r\n");
                assertEquals("MN", c.line());
            } finally {
                server.close();
            }
            long length = Files.size(pristine);
            long dropped = 0;
            int trial = 0;
            for (double at : new double[] {0.01, 0.1, 0.25, 0.5, 0.75}) {
                Path file = directory.resolve("damaged-" + trial++ + ".mem");
                Files.copy(pristine, file, StandardCopyOption.REPLACE_EXISTING);
                long offset = (long) (length * at);
                damage(file, offset, new SplittableRandom(offset));
                server = start(file);
                try (Connection c = new Connection(server.port())) {
                    int hits = checkEveryGet(c, "4 KiB of damage at " + offset + " of " + length);
                    assertTrue(hits > KEYS / 10, "only " + hits + " hits after damage at " + offset);
                    dropped += c.stat("badcrc_from_memory_file");
                } finally {
                    server.close();
                }
            }
            assertTrue(dropped > 0, "no trial damaged an item the restart caught: the trials test nothing");
        } finally {
            ColocatedCrashTest.deleteTree(directory);
        }
    }

    /** @return how many keys hit; fails on a value or client flags that are not those stored */
    private static int checkEveryGet(Connection c, String trial) throws IOException {
        int hits = 0;
        for (int first = 0; first < KEYS; first += BATCH) {
            StringBuilder request = new StringBuilder("get");
            for (int i = first; i < first + BATCH; i++) {
                request.append(' ').append(key(i));
            }
            c.write(request.append("\r\n").toString());
            for (String line = c.line(); !line.equals("END"); line = c.line()) {
                String[] parts = line.split(" ");
                assertEquals(4, parts.length, trial + ": " + line);
                assertEquals("VALUE", parts[0], trial + ": " + line);
                int i = Integer.parseInt(parts[1].substring("key:".length()));
                byte[] data = c.bytes(Integer.parseInt(parts[3]));
                assertEquals(flags(i), Long.parseLong(parts[2]), trial + ": client flags of " + parts[1]);
                assertArrayEquals(value(i), data, trial + ": value of " + parts[1]);
                hits++;
            }
        }
        return hits;
    }

    private static void damage(Path file, long offset, SplittableRandom random) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             Arena arena = Arena.ofConfined()) {
            MemorySegment m = channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size(), arena);
            for (long b = offset; b < Math.min(m.byteSize(), offset + DAMAGE); b++) {
                m.set(ValueLayout.JAVA_BYTE, b, (byte) random.nextInt(256));
            }
        }
    }

    /** One text-protocol connection: lines and data blocks read exactly, as their lengths say. */
    private static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final DataInputStream in;

        Connection(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(30_000);
            out = socket.getOutputStream();
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        }

        void write(String s) throws IOException {
            write(s.getBytes(StandardCharsets.US_ASCII));
        }

        void write(byte[] b) throws IOException {
            out.write(b);
        }

        /** @return the next line, without its CRLF (flushes what was written first) */
        String line() throws IOException {
            out.flush();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("closed after " + line);
                }
                line.write(b);
            }
            byte[] bytes = line.toByteArray();
            assertTrue(bytes.length > 0 && bytes[bytes.length - 1] == '\r', "a line without CR");
            return new String(bytes, 0, bytes.length - 1, StandardCharsets.US_ASCII);
        }

        /** @return a data block of {@code length} bytes and its CRLF, without the CRLF */
        byte[] bytes(int length) throws IOException {
            byte[] data = new byte[length + 2];
            in.readFully(data);
            assertEquals('\r', data[length]);
            assertEquals('\n', data[length + 1]);
            return Arrays.copyOf(data, length);
        }

        long stat(String name) throws IOException {
            write("stats\r\n");
            long value = -1;
            for (String line = line(); !line.equals("END"); line = line()) {
                if (line.startsWith("STAT " + name + " ")) {
                    value = Long.parseLong(line.substring(6 + name.length()));
                }
            }
            assertTrue(value >= 0, name + " is not in stats");
            return value;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
