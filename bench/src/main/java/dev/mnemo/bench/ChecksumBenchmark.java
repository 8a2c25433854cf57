package dev.mnemo.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
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
 * What one item checksum costs (issue 16), the way the store's {@code ItemChecksum} computes it:
 * {@link CRC32C#update(ByteBuffer)} over {@code bytes} bytes (default 119: the 9 covered header
 * bytes, a 10-byte key and a 100-byte value, StoreBenchmark's items) at scattered offsets of a
 * 64 MiB off-heap area, through a window buffer whose position and limit are set per call.
 * <ul>
 *   <li>{@code globalWindow}: the window is a view of the area's address in the global scope
 *       (what the store uses when native access is allowed);</li>
 *   <li>{@code sharedArenaWindow}: the window is a view of a shared arena's segment, so every
 *       update acquires and releases the arena's session (two atomic writes);</li>
 *   <li>{@code tableCrc}: a plain Java CRC32C (slicing by 8 over long reads of the segment), the
 *       software alternative with no buffer at all.</li>
 * </ul>
 * Usage: {@code java -jar bench/target/benchmarks.jar ChecksumBenchmark -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ChecksumBenchmark {

    private static final long AREA = 64L << 20;
    /** Item offsets visited: 4,096 scattered ones, so the bytes mostly come from the CPU caches as a get's just-read item does. */
    private static final int OFFSETS = 4096;
    private static final int[] TABLE = table();

    @Param("119")
    public int bytes;

    private Arena arena;
    private MemorySegment area;
    private ByteBuffer global;
    private ByteBuffer shared;
    private final CRC32C crc = new CRC32C();
    private final long[] offsets = new long[OFFSETS];
    private int next;

    @Setup
    public void setUp() {
        arena = Arena.ofShared();
        area = arena.allocate(AREA, 64);
        for (long i = 0; i < AREA; i += 8) {
            area.set(ValueLayout.JAVA_LONG_UNALIGNED, i, i * 0x9E3779B97F4A7C15L);
        }
        global = MemorySegment.ofAddress(area.address()).reinterpret(AREA).asByteBuffer();
        shared = area.asByteBuffer();
        for (int i = 0; i < OFFSETS; i++) {
            offsets[i] = ((i * 0x9E3779B1L) & (AREA / 256 - 1)) * 256 + (i % 7);
        }
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    private int window(ByteBuffer window) {
        int at = (int) offsets[next = (next + 1) & (OFFSETS - 1)];
        window.limit(at + bytes);
        window.position(at);
        crc.reset();
        crc.update(window);
        return (int) crc.getValue();
    }

    @Benchmark
    public int globalWindow() {
        return window(global);
    }

    @Benchmark
    public int sharedArenaWindow() {
        return window(shared);
    }

    @Benchmark
    public int tableCrc() {
        long at = offsets[next = (next + 1) & (OFFSETS - 1)];
        int c = ~0;
        int i = 0;
        for (; i + 8 <= bytes; i += 8) {
            long w = area.get(ValueLayout.JAVA_LONG_UNALIGNED, at + i) ^ (c & 0xFFFF_FFFFL);
            c = TABLE[7 * 256 + (int) (w & 0xFF)] ^ TABLE[6 * 256 + (int) ((w >>> 8) & 0xFF)]
                    ^ TABLE[5 * 256 + (int) ((w >>> 16) & 0xFF)] ^ TABLE[4 * 256 + (int) ((w >>> 24) & 0xFF)]
                    ^ TABLE[3 * 256 + (int) ((w >>> 32) & 0xFF)] ^ TABLE[2 * 256 + (int) ((w >>> 40) & 0xFF)]
                    ^ TABLE[256 + (int) ((w >>> 48) & 0xFF)] ^ TABLE[(int) (w >>> 56)];
        }
        for (; i < bytes; i++) {
            c = TABLE[(c ^ area.get(ValueLayout.JAVA_BYTE, at + i)) & 0xFF] ^ (c >>> 8);
        }
        return ~c;
    }

    /** Slicing-by-8 tables of the CRC32C (Castagnoli, reflected 0x82F63B78) polynomial. */
    private static int[] table() {
        int[] t = new int[8 * 256];
        for (int n = 0; n < 256; n++) {
            int c = n;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ 0x82F63B78 : c >>> 1;
            }
            t[n] = c;
        }
        for (int n = 0; n < 256; n++) {
            for (int s = 1; s < 8; s++) {
                t[s * 256 + n] = t[(s - 1) * 256 + n] >>> 8 ^ t[t[(s - 1) * 256 + n] & 0xFF];
            }
        }
        return t;
    }
}
