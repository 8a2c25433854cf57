package dev.mnemo.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Reads the access traces of {@code ../shared/traces} (see its README.md), choosing the format
 * by the file name's prefix:
 * <ul>
 *   <li>{@code cache2k-*.trace.xz}: xz, big-endian 4-byte int keys back to back;</li>
 *   <li>{@code lirs-*.trace.gz}: gzip, text, one integer key per line, lines equal to {@code *}
 *       skipped;</li>
 *   <li>{@code adapt_size-*.trace.xz}: xz, text lines {@code timestamp key size_bytes}.</li>
 * </ul>
 * Key-only traces get a fixed value size; sized traces keep a key's size at its first request,
 * capped at the store's max item size. Stateless; thread-safe.
 */
final class TraceFile {

    private TraceFile() {
    }

    /** @return whether {@code file}'s name is one {@link #read} understands */
    static boolean isTrace(Path file) {
        String name = file.getFileName().toString();
        return (name.startsWith("cache2k-") && name.endsWith(".trace.xz"))
                || (name.startsWith("lirs-") && name.endsWith(".trace.gz"))
                || (name.startsWith("adapt_size-") && name.endsWith(".trace.xz"));
    }

    /**
     * @param file           the trace file
     * @param fixedValueSize the value size given to every key of a key-only trace, in bytes
     * @param maxValueSize   the cap on a sized trace's value sizes, in bytes
     * @return the parsed trace
     * @throws IllegalArgumentException if the name matches no known format
     * @throws IOException              if the file cannot be read or is malformed
     */
    static Trace read(Path file, int fixedValueSize, int maxValueSize) throws IOException {
        String fileName = file.getFileName().toString();
        String name = fileName.substring(0, fileName.indexOf(".trace."));
        try (InputStream raw = Files.newInputStream(file)) {
            if (fileName.startsWith("cache2k-") && fileName.endsWith(".xz")) {
                return fixedSize(name, readInts(new XZInputStream(raw)), fixedValueSize);
            }
            if (fileName.startsWith("lirs-") && fileName.endsWith(".gz")) {
                return fixedSize(name, readLirs(new GZIPInputStream(raw)), fixedValueSize);
            }
            if (fileName.startsWith("adapt_size-") && fileName.endsWith(".xz")) {
                return readAdaptSize(name, new XZInputStream(raw), maxValueSize);
            }
        }
        throw new IllegalArgumentException("not a known trace format: " + file);
    }

    /** Reads big-endian 4-byte int keys (the cache2k format). */
    static long[] readInts(InputStream in) throws IOException {
        byte[] bytes = in.readAllBytes();
        if (bytes.length % Integer.BYTES != 0) {
            throw new IOException("trace length " + bytes.length + " is not a multiple of 4 bytes");
        }
        IntBuffer ints = ByteBuffer.wrap(bytes).asIntBuffer();
        long[] keys = new long[ints.remaining()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = ints.get(i);
        }
        return keys;
    }

    /** Reads one decimal key per line, skipping blank lines and lines equal to {@code *} (the LIRS format). */
    static long[] readLirs(InputStream in) throws IOException {
        LongList keys = new LongList();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            String trimmed = line.strip();
            if (!trimmed.isEmpty() && !trimmed.equals("*")) {
                keys.add(parseKey(trimmed));
            }
        }
        return keys.toArray();
    }

    /** Reads {@code timestamp key size_bytes} lines (the AdaptSize format). */
    static Trace readAdaptSize(String name, InputStream in, int maxValueSize) throws IOException {
        LongList keys = new LongList();
        LongList sizes = new LongList();
        Map<Long, Integer> firstSize = new HashMap<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            String trimmed = line.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            String[] fields = trimmed.split("\\s+");
            if (fields.length != 3) {
                throw new IOException("expected 'timestamp key size_bytes', got: " + line);
            }
            long key = parseKey(fields[1]);
            long size = parseKey(fields[2]);
            if (size < 0) {
                throw new IOException("negative size in: " + line);
            }
            int capped = (int) Math.min(size, maxValueSize);
            keys.add(key);
            sizes.add(firstSize.computeIfAbsent(key, k -> capped));
        }
        long[] sizeValues = sizes.toArray();
        int[] valueSizes = new int[sizeValues.length];
        for (int i = 0; i < valueSizes.length; i++) {
            valueSizes[i] = (int) sizeValues[i];
        }
        return new Trace(name, keys.toArray(), valueSizes);
    }

    private static Trace fixedSize(String name, long[] keys, int valueSize) {
        int[] sizes = new int[keys.length];
        Arrays.fill(sizes, valueSize);
        return new Trace(name, keys, sizes);
    }

    private static long parseKey(String text) throws IOException {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IOException("not an integer: " + text, e);
        }
    }

    /** A growable array of longs, to parse traces of millions of requests without boxing. */
    private static final class LongList {
        private long[] values = new long[1024];
        private int size;

        void add(long value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        long[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
