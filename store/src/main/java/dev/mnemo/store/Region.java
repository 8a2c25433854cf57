package dev.mnemo.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The store's one off-heap region and its geometry (DESIGN.md store direction point 1).
 *
 * <pre>
 * [header 512 bytes][index: buckets of 64 bytes][ghost table: 2-byte fingerprints][pad to 64 bytes][segments]
 * </pre>
 *
 * Segments are equal, at least large enough for the largest item, and share out all the
 * memory after the ghost table. The header holds a magic number, the layout version and the geometry, so that a mapped file
 * is validated before use; the region holds only offsets, never Java references. The whole
 * region is at most the configured memory limit (bytes). Immutable after open; the memory it
 * wraps is shared by all threads.
 */
final class Region implements AutoCloseable {

    static final long MAGIC = 0x4F4D454E4D4F4D31L; // "1MOMNEMO" read little-endian: an arbitrary tag
    static final int LAYOUT_VERSION = 2;
    static final int HEADER_SIZE = 512;
    /** Memory per index slot when sizing the index, in bytes: about one slot per small item. */
    static final long BYTES_PER_SLOT = 120;
    static final int SLOTS_PER_BUCKET = 7;
    static final int BUCKET_SIZE = 64;
    /** Memory per ghost-table entry when sizing it, in bytes. */
    static final long BYTES_PER_GHOST = 256;
    /** The segment size the store uses unless the memory limit or max item size says otherwise. */
    static final long PREFERRED_SEGMENT_SIZE = 1L << 20;
    /** How many segments a store smaller than this many preferred segments aims for: finer FIFOs. */
    static final long TARGET_SEGMENTS = 64;
    /** The fewest segments a store can work with. */
    static final int MIN_SEGMENTS = 4;

    private static final long H_MAGIC = 0;
    private static final long H_VERSION = 8;
    private static final long H_MEMORY_LIMIT = 16;
    private static final long H_MAX_ITEM_SIZE = 24;
    private static final long H_BUCKETS = 32;
    private static final long H_GHOSTS = 40;
    private static final long H_SEGMENT_SIZE = 48;
    private static final long H_SEGMENTS = 56;
    private static final long H_SEGMENTS_OFFSET = 64;
    /** The CAS uniques handed out so far (a high-water mark: blocks are reserved ahead of use). */
    static final long H_CAS_COUNTER = 128;

    final MemorySegment memory;
    final long bucketCount;
    final long ghostCount;
    final long ghostOffset;
    final long segmentSize;
    final int segmentCount;
    final long segmentsOffset;
    private final Arena arena;

    private Region(Arena arena, MemorySegment memory, Geometry g) {
        this.arena = arena;
        this.memory = memory;
        this.bucketCount = g.buckets;
        this.ghostCount = g.ghosts;
        this.ghostOffset = g.ghostOffset;
        this.segmentSize = g.segmentSize;
        this.segmentCount = g.segments;
        this.segmentsOffset = g.segmentsOffset;
    }

    /** The sizes derived from a configuration. */
    record Geometry(long memoryLimit, int maxItemSize, long buckets, long ghosts, long ghostOffset,
                    long segmentSize, int segments, long segmentsOffset) {

        static Geometry of(StoreConfig config) {
            long limit = config.memoryLimit();
            long buckets = Math.max(2, ceilDiv(limit / BYTES_PER_SLOT, SLOTS_PER_BUCKET));
            long ghosts = Math.max(64, limit / BYTES_PER_GHOST);
            long ghostOffset = HEADER_SIZE + buckets * BUCKET_SIZE;
            long segmentsOffset = align(ghostOffset + ghosts * Short.BYTES, Region.BUCKET_SIZE);
            long available = limit - segmentsOffset;
            long itemFit = align(Items.size(Store.MAX_KEY_LENGTH, config.maxItemSize()), Long.BYTES);
            long segmentSize = Math.max(itemFit, Math.min(PREFERRED_SEGMENT_SIZE, available / TARGET_SEGMENTS));
            long segments = available <= 0 ? 0 : available / segmentSize;
            if (segments > 0) {
                segmentSize = available / segments / Long.BYTES * Long.BYTES; // spread the remainder over the segments
            }
            if (segments < MIN_SEGMENTS) {
                throw new IllegalArgumentException("memory limit of " + limit + " bytes is too small for a max item size of "
                        + config.maxItemSize() + " bytes: the store needs at least " + MIN_SEGMENTS + " segments of "
                        + segmentSize + " bytes plus " + segmentsOffset + " bytes of header and index, "
                        + (segmentsOffset + MIN_SEGMENTS * segmentSize) + " bytes in all");
            }
            if (segments > Integer.MAX_VALUE || segmentsOffset + segments * segmentSize >= (1L << 48)) {
                throw new IllegalArgumentException("memory limit of " + limit + " bytes is too large");
            }
            return new Geometry(limit, config.maxItemSize(), buckets, ghosts, ghostOffset, segmentSize, (int) segments,
                    segmentsOffset);
        }

        long regionSize() {
            return segmentsOffset + segments * segmentSize;
        }
    }

    /**
     * Allocates anonymous memory or maps {@code config.memoryFile()}, validating an existing
     * file's header, and initialises the header and an empty index.
     *
     * @throws IllegalArgumentException if the geometry is impossible or an existing file's
     *                                  header does not match the configuration
     * @throws UncheckedIOException     if the file cannot be created or mapped
     */
    static Region open(StoreConfig config) {
        Geometry g = Geometry.of(config);
        Arena arena = Arena.ofShared();
        try {
            MemorySegment memory;
            if (config.memoryFile() == null) {
                memory = arena.allocate(g.regionSize(), 4096);
            } else {
                memory = map(config.memoryFile(), g, arena);
            }
            Region region = new Region(arena, memory, g);
            region.initialise(g);
            return region;
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static MemorySegment map(Path file, Geometry g, Arena arena) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            long existing = channel.size();
            if (existing > 0) {
                validate(file, channel, g);
            }
            MemorySegment memory = channel.map(FileChannel.MapMode.READ_WRITE, 0, g.regionSize(), arena);
            if (existing > 0) {
                memory.asSlice(HEADER_SIZE, g.segmentsOffset - HEADER_SIZE).fill((byte) 0);
            }
            return memory;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map memory file " + file, e);
        }
    }

    private static void validate(Path file, FileChannel channel, Geometry g) throws IOException {
        if (channel.size() < HEADER_SIZE) {
            throw new IllegalArgumentException("memory file " + file + " is " + channel.size()
                    + " bytes, too short to hold a Mnemo region header");
        }
        try (Arena temporary = Arena.ofConfined()) {
            MemorySegment h = channel.map(FileChannel.MapMode.READ_ONLY, 0, HEADER_SIZE, temporary);
            long magic = h.get(ValueLayout.JAVA_LONG_UNALIGNED, H_MAGIC);
            if (magic != MAGIC) {
                throw new IllegalArgumentException("memory file " + file + " is not a Mnemo region (magic "
                        + Long.toHexString(magic) + ", expected " + Long.toHexString(MAGIC) + ")");
            }
            int version = h.get(ValueLayout.JAVA_INT_UNALIGNED, H_VERSION);
            if (version != LAYOUT_VERSION) {
                throw new IllegalArgumentException("memory file " + file + " has layout version " + version
                        + ", this store reads version " + LAYOUT_VERSION);
            }
            check(file, "memory limit (bytes)", h.get(ValueLayout.JAVA_LONG_UNALIGNED, H_MEMORY_LIMIT), g.memoryLimit);
            check(file, "max item size (bytes)", h.get(ValueLayout.JAVA_LONG_UNALIGNED, H_MAX_ITEM_SIZE), g.maxItemSize);
            check(file, "index buckets", h.get(ValueLayout.JAVA_LONG_UNALIGNED, H_BUCKETS), g.buckets);
            check(file, "ghost entries", h.get(ValueLayout.JAVA_LONG_UNALIGNED, H_GHOSTS), g.ghosts);
            check(file, "segment size (bytes)", h.get(ValueLayout.JAVA_LONG_UNALIGNED, H_SEGMENT_SIZE), g.segmentSize);
            check(file, "segments", h.get(ValueLayout.JAVA_LONG_UNALIGNED, H_SEGMENTS), g.segments);
            check(file, "segments offset", h.get(ValueLayout.JAVA_LONG_UNALIGNED, H_SEGMENTS_OFFSET), g.segmentsOffset);
        }
    }

    private static void check(Path file, String what, long found, long expected) {
        if (found != expected) {
            throw new IllegalArgumentException("memory file " + file + " was created with " + what + " " + found
                    + ", the configuration gives " + expected + "; refusing to use it");
        }
    }

    private void initialise(Geometry g) {
        memory.set(ValueLayout.JAVA_INT_UNALIGNED, H_VERSION, LAYOUT_VERSION);
        memory.set(ValueLayout.JAVA_LONG_UNALIGNED, H_MEMORY_LIMIT, g.memoryLimit);
        memory.set(ValueLayout.JAVA_LONG_UNALIGNED, H_MAX_ITEM_SIZE, g.maxItemSize);
        memory.set(ValueLayout.JAVA_LONG_UNALIGNED, H_BUCKETS, g.buckets);
        memory.set(ValueLayout.JAVA_LONG_UNALIGNED, H_GHOSTS, g.ghosts);
        memory.set(ValueLayout.JAVA_LONG_UNALIGNED, H_SEGMENT_SIZE, g.segmentSize);
        memory.set(ValueLayout.JAVA_LONG_UNALIGNED, H_SEGMENTS, g.segments);
        memory.set(ValueLayout.JAVA_LONG_UNALIGNED, H_SEGMENTS_OFFSET, g.segmentsOffset);
        memory.set(ValueLayout.JAVA_LONG_UNALIGNED, H_CAS_COUNTER, 0L);
        memory.set(ValueLayout.JAVA_LONG_UNALIGNED, H_MAGIC, MAGIC); // last: the header is valid once the magic is there
    }

    long segmentBase(int segment) {
        return segmentsOffset + segment * segmentSize;
    }

    int segmentOf(long offset) {
        return (int) ((offset - segmentsOffset) / segmentSize);
    }

    long indexBytes() {
        return bucketCount * BUCKET_SIZE;
    }

    @Override
    public void close() {
        arena.close();
    }

    private static long align(long value, long alignment) {
        return (value + alignment - 1) / alignment * alignment;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
