package dev.mnemo.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

class TraceFileTest {

    @TempDir
    Path dir;

    @Test
    void readsBigEndianIntKeysFromXz() throws IOException {
        Path file = dir.resolve("cache2k-test.trace.xz");
        try (OutputStream out = new XZOutputStream(Files.newOutputStream(file), new LZMA2Options())) {
            out.write(new byte[] {0, 0, 0, 7, 0, 0, 1, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe});
        }
        Trace trace = TraceFile.read(file, 100, 1 << 20);
        assertEquals("cache2k-test", trace.name());
        assertArrayEquals(new long[] {7, 256, -2}, trace.keys());
        assertArrayEquals(new int[] {100, 100, 100}, trace.valueSizes());
    }

    @Test
    void refusesATruncatedIntTrace() {
        assertThrows(IOException.class, () -> TraceFile.readInts(new ByteArrayInputStream(new byte[] {0, 0, 1})));
    }

    @Test
    void readsLirsTextFromGzipSkippingStars() throws IOException {
        Path file = dir.resolve("lirs-test.trace.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write("5\n*\n12\n\n5\n".getBytes(StandardCharsets.US_ASCII));
        }
        Trace trace = TraceFile.read(file, 64, 1 << 20);
        assertArrayEquals(new long[] {5, 12, 5}, trace.keys());
        assertEquals(2, trace.distinctKeys());
        assertEquals((1 + 64) + (2 + 64), trace.footprint());
    }

    @Test
    void adaptSizeKeepsTheFirstSizeOfAKeyAndCapsIt() throws IOException {
        String text = "1 10 300\n2 11 5000\n3 10 999\n4 12 7\n";
        Trace trace = TraceFile.readAdaptSize("adapt", new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)), 1024);
        assertArrayEquals(new long[] {10, 11, 10, 12}, trace.keys());
        assertArrayEquals(new int[] {300, 1024, 300, 7}, trace.valueSizes());
        assertEquals((2 + 300) + (2 + 1024) + (2 + 7), trace.footprint());
    }

    @Test
    void adaptSizeRefusesMalformedLines() {
        byte[] text = "1 10\n".getBytes(StandardCharsets.US_ASCII);
        assertThrows(IOException.class, () -> TraceFile.readAdaptSize("adapt", new ByteArrayInputStream(text), 1024));
    }

    @Test
    void recognisesTraceNames() {
        assertTrue(TraceFile.isTrace(Path.of("cache2k-web07.trace.xz")));
        assertTrue(TraceFile.isTrace(Path.of("lirs-sprite.trace.gz")));
        assertTrue(TraceFile.isTrace(Path.of("adapt_size-request.trace.xz")));
        assertFalse(TraceFile.isTrace(Path.of("cache2k-LICENSE.txt")));
        assertFalse(TraceFile.isTrace(Path.of("README.md")));
    }
}
