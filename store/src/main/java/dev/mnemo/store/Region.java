package dev.mnemo.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The store's one off-heap region and its geometry (DESIGN.md store direction points 1, 6, 7).
 *
 * <pre>
 * [header 4096 bytes: geometry, CAS counter, segment lock, flush and queue state, process table: {@link RegionHeader}]
 * [statistics counters: {@value Counters#STRIPES} stripes of 256 bytes]
 * [segment metadata: {@value Segments#META_SIZE} bytes per segment][pad to 64]
 * [index: buckets of 64 bytes][ghost table: 2-byte fingerprints][pad to 64 bytes][segments]
 * </pre>
 *
 * All of the store's mutable shared state lives here, addressed by offsets (never addresses or
 * Java references), so that several processes mapping the same file share one store, and a
 * restarted process finds it again. Segments are equal, at least large enough for the largest
 * item, and share out the memory after the ghost table. The header holds a magic number, the
 * layout version and the geometry, so that a mapped file is validated before use. The memory
 * limit (bytes) bounds the index, the ghost table and the segments; the control area before the
 * index (header, counters, segment metadata: 12 KiB plus {@value Segments#META_SIZE} bytes per
 * segment) comes on top of it, as memcached's {@code -m} bounds its item memory and not its
 * bookkeeping. The Java object is immutable after
 * open; the memory it wraps is shared by all threads and attached processes.
 */
final class Region implements AutoCloseable {

    static final long MAGIC = 0x4F4D454E4D4F4D31L; // "1MOMNEMO" read little-endian: an arbitrary tag
    static final int LAYOUT_VERSION = 6;
    /** Memory per index slot when sizing the index, in bytes: about one slot per small item. */
    static final long BYTES_PER_SLOT = 120;
    static final int SLOTS_PER_BUCKET = 7;
    /**
     * The index buckets a new region starts with (fewer if its index is smaller): 512 KiB, as
     * memcached's hash table starts at 2^16 pointers. The index grows by splitting buckets
     * ({@link Index#expand}) up to the buckets the memory limit reserves.
     */
    static final long INITIAL_BUCKETS = 1 << 13;
    static final int BUCKET_SIZE = 64;
    /** Memory per ghost-table entry when sizing it, in bytes. */
    static final long BYTES_PER_GHOST = 256;
    /** The segment size the store uses unless the memory limit or max item size says otherwise. */
    static final long PREFERRED_SEGMENT_SIZE = 1L << 20;
    /** How many segments a store smaller than this many preferred segments aims for: finer FIFOs. */
    static final long TARGET_SEGMENTS = 64;
    /** The fewest segments a store can work with. */
    static final int MIN_SEGMENTS = 4;

    static final long COUNTERS_OFFSET = RegionHeader.SIZE;
    static final long META_OFFSET = COUNTERS_OFFSET + (long) Counters.STRIPES * Counters.STRIPE_SIZE;

    final MemorySegment memory;
    /** The header's fields: the one way to read or write them. */
    final RegionHeader header;
    final long memoryLimit;
    final int maxItemSize;
    final long bucketCount;
    final long indexOffset;
    final long ghostCount;
    final long ghostOffset;
    final long segmentSize;
    final int segmentCount;
    final long segmentsOffset;
    /** Whether {@link #open} found a valid region of the same geometry in the file (a warm restart). */
    final boolean existing;
    private final Geometry geometry;
    private final Arena arena;

    private Region(Arena arena, MemorySegment memory, Geometry g, boolean existing) {
        this.arena = arena;
        this.memory = memory;
        this.header = new RegionHeader(memory);
        this.existing = existing;
        this.geometry = g;
        this.memoryLimit = g.memoryLimit;
        this.maxItemSize = g.maxItemSize;
        this.bucketCount = g.buckets;
        this.indexOffset = g.indexOffset;
        this.ghostCount = g.ghosts;
        this.ghostOffset = g.ghostOffset;
        this.segmentSize = g.segmentSize;
        this.segmentCount = g.segments;
        this.segmentsOffset = g.segmentsOffset;
    }

    /** The sizes derived from a memory limit and a max item size. */
    record Geometry(long memoryLimit, int maxItemSize, long buckets, long indexOffset, long ghosts, long ghostOffset,
                    long segmentSize, int segments, long segmentsOffset) {

        static Geometry of(StoreConfig config) {
            return of(config.memoryLimit(), config.maxItemSize());
        }

        static Geometry of(long limit, int maxItemSize) {
            return of(limit, maxItemSize, true);
        }

        /**
         * @return the smallest memory limit, a whole number of MiB, that holds {@link #MIN_SEGMENTS}
         *         segments for items of {@code maxItemSize} bytes
         */
        static long smallestLimitMiB(int maxItemSize) {
            long mib = 1;
            while (of(mib << 20, maxItemSize, false) == null) {
                mib++;
            }
            return mib;
        }

        /** @param explain whether a limit too small throws (with the reason) rather than returns null */
        private static Geometry of(long limit, int maxItemSize, boolean explain) {
            Geometry first = layout(limit, maxItemSize, 0, explain);
            if (first == null) {
                return null;
            }
            Geometry g = layout(limit, maxItemSize, first.segments, explain);
            if (g == null) {
                return null;
            }
            if (g.segments > first.segments) { // never more segments than the metadata was sized for
                g = new Geometry(g.memoryLimit, maxItemSize, g.buckets, g.indexOffset, g.ghosts, g.ghostOffset,
                        g.segmentSize, first.segments, g.segmentsOffset);
            }
            return g;
        }

        private static Geometry layout(long limit, int maxItemSize, long metaSegments, boolean explain) {
            long buckets = Math.max(2, ceilDiv(limit / BYTES_PER_SLOT, SLOTS_PER_BUCKET));
            long ghosts = Math.max(64, limit / BYTES_PER_GHOST);
            long indexOffset = align(META_OFFSET + metaSegments * Segments.META_SIZE, BUCKET_SIZE);
            long ghostOffset = indexOffset + buckets * BUCKET_SIZE;
            long segmentsOffset = align(ghostOffset + ghosts * Short.BYTES, Region.BUCKET_SIZE);
            long available = limit - (segmentsOffset - indexOffset); // the control area comes on top of the limit
            long itemFit = align(Items.size(Store.MAX_KEY_LENGTH, maxItemSize), Long.BYTES);
            long segmentSize = Math.max(itemFit, Math.min(PREFERRED_SEGMENT_SIZE, available / TARGET_SEGMENTS));
            long segments = available <= 0 ? 0 : available / segmentSize;
            if (segments > 0) {
                segmentSize = available / segments / Long.BYTES * Long.BYTES; // spread the remainder over the segments
            }
            if (segments < MIN_SEGMENTS) {
                if (!explain) {
                    return null;
                }
                throw new IllegalArgumentException("memory limit of " + limit + " bytes is too small for a max item size of "
                        + maxItemSize + " bytes: the store needs at least " + MIN_SEGMENTS + " segments of "
                        + segmentSize + " bytes plus " + (segmentsOffset - indexOffset) + " bytes of index, "
                        + (segmentsOffset - indexOffset + MIN_SEGMENTS * segmentSize) + " bytes in all; the smallest "
                        + "memory limit that works for this max item size is " + smallestLimitMiB(maxItemSize) + " MiB");
            }
            if (segments > Integer.MAX_VALUE || segmentsOffset + segments * segmentSize >= (1L << 48)) {
                throw new IllegalArgumentException("memory limit of " + limit + " bytes is too large");
            }
            return new Geometry(limit, maxItemSize, buckets, indexOffset, ghosts, ghostOffset, segmentSize,
                    (int) segments, segmentsOffset);
        }

        long regionSize() {
            return segmentsOffset + segments * segmentSize;
        }
    }

    /**
     * Allocates anonymous memory, or maps {@code config.memoryFile()}: creates it (with the
     * configured mode) if missing; reuses it if its header matches the configuration
     * ({@link #existing} is then true); reinitialises it if it does not match and the
     * configuration says to discard it.
     *
     * @throws IllegalArgumentException if the geometry is impossible, or an existing file's
     *                                  header does not match and is not to be discarded
     * @throws UncheckedIOException     if the file cannot be created or mapped
     */
    static Region open(StoreConfig config) {
        Geometry g = Geometry.of(config);
        Arena arena = Arena.ofShared();
        try {
            Region region;
            if (config.memoryFile() == null) {
                region = new Region(arena, AnonymousMemory.allocate(g.regionSize(), arena), g, false);
            } else {
                region = map(config, g, arena);
            }
            if (!region.existing) {
                region.initialise(g, config.casEnabled());
            }
            return region;
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static Region map(StoreConfig config, Geometry g, Arena arena) {
        Path file = config.memoryFile();
        try {
            if (!Files.exists(file)) {
                create(file, config.memoryFileMode());
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                boolean existing = false;
                if (channel.size() > 0) {
                    String mismatch = mismatch(file, channel, g, config.casEnabled());
                    if (mismatch != null && !config.discardExisting()) {
                        throw new IllegalArgumentException(mismatch + "; refusing to use it (discard it to start empty)");
                    }
                    existing = mismatch == null;
                    if (!existing) {
                        channel.truncate(0); // discarded: start from zeroes
                    }
                }
                MemorySegment memory = channel.map(FileChannel.MapMode.READ_WRITE, 0, g.regionSize(), arena);
                return new Region(arena, memory, g, existing);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map memory file " + file, e);
        }
    }

    private static void create(Path file, String mode) throws IOException {
        String octal = mode.length() == 4 ? mode.substring(1) : mode;
        StringBuilder rwx = new StringBuilder();
        for (char c : octal.toCharArray()) {
            int bits = c - '0';
            rwx.append((bits & 4) != 0 ? 'r' : '-').append((bits & 2) != 0 ? 'w' : '-').append((bits & 1) != 0 ? 'x' : '-');
        }
        Set<PosixFilePermission> permissions = PosixFilePermissions.fromString(rwx.toString());
        Files.createFile(file, PosixFilePermissions.asFileAttribute(permissions));
        Files.setPosixFilePermissions(file, permissions); // as given, whatever the umask
    }

    /**
     * Maps an existing region for a co-located process, taking the geometry from its header.
     *
     * @throws IllegalArgumentException if the file is missing, too short, or not a valid region
     * @throws UncheckedIOException     if it cannot be read or mapped
     */
    static Region attach(Path file) {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            Geometry g = headerGeometry(file, channel);
            String mismatch = mismatch(file, channel, g, null);
            if (mismatch != null) {
                throw new IllegalArgumentException(mismatch);
            }
            MemorySegment memory = channel.map(FileChannel.MapMode.READ_WRITE, 0, g.regionSize(), arena);
            return new Region(arena, memory, g, true);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new IllegalArgumentException("memory file " + file + " does not exist: is the server running with it?", e);
        } catch (IOException e) {
            arena.close();
            throw new UncheckedIOException("cannot map memory file " + file, e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static Geometry headerGeometry(Path file, FileChannel channel) throws IOException {
        RegionHeader h = readHeader(file, channel);
        String notRegion = notRegion(file, h);
        if (notRegion != null) {
            throw new IllegalArgumentException(notRegion);
        }
        long limit = h.memoryLimit();
        long maxItem = h.maxItemSize();
        if (limit < 1 || maxItem < 1024 || maxItem > 1024L * StoreConfig.MIB) {
            throw new IllegalArgumentException("memory file " + file + " has a corrupt header: memory limit " + limit
                    + " bytes, max item size " + maxItem + " bytes");
        }
        return Geometry.of(limit, (int) maxItem);
    }

    private static RegionHeader readHeader(Path file, FileChannel channel) throws IOException {
        if (channel.size() < RegionHeader.SIZE) {
            throw new IllegalArgumentException("memory file " + file + " is " + channel.size()
                    + " bytes, too short to hold a Mnemo region header");
        }
        byte[] bytes = new byte[RegionHeader.SIZE];
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, buffer.position()) < 0) {
                break;
            }
        }
        return new RegionHeader(MemorySegment.ofArray(bytes));
    }

    private static String notRegion(Path file, RegionHeader h) {
        long magic = h.magic();
        if (magic != MAGIC) {
            return "memory file " + file + " is not a Mnemo region (magic " + Long.toHexString(magic) + ", expected "
                    + Long.toHexString(MAGIC) + ")";
        }
        int version = h.version();
        if (version != LAYOUT_VERSION) {
            return "memory file " + file + " has layout version " + version + ", this store reads version " + LAYOUT_VERSION;
        }
        return null;
    }

    /**
     * @param casEnabled the CAS setting to compare, or null to take the file's
     * @return what differs between the file's header and the geometry, or null if nothing does
     */
    private static String mismatch(Path file, FileChannel channel, Geometry g, Boolean casEnabled) throws IOException {
        RegionHeader h = readHeader(file, channel);
        String notRegion = notRegion(file, h);
        if (notRegion != null) {
            return notRegion;
        }
        long limit = h.memoryLimit();
        if (limit != g.memoryLimit) {
            return "memory file " + file + " was made with " + megabytes("-m", limit) + ", this store has "
                    + megabytes("-m", g.memoryLimit);
        }
        long maxItem = h.maxItemSize();
        if (maxItem != g.maxItemSize) {
            return "memory file " + file + " was made with a max item size (-I) of " + maxItem
                    + " bytes, this store has " + g.maxItemSize + " bytes";
        }
        if (casEnabled != null && h.casEnabled() != casEnabled) {
            return "memory file " + file + " was made with CAS " + (casEnabled ? "disabled (-C)" : "enabled")
                    + ", this store has it " + (casEnabled ? "enabled" : "disabled (-C)");
        }
        String[] names = {"index buckets", "ghost entries", "segment size (bytes)", "segments", "segments offset"};
        long[] found = {h.buckets(), h.ghosts(), h.segmentSize(), h.segments(), h.segmentsOffset()};
        long[] expected = {g.buckets, g.ghosts, g.segmentSize, g.segments, g.segmentsOffset};
        for (int i = 0; i < names.length; i++) {
            if (found[i] != expected[i]) {
                return "memory file " + file + " has " + names[i] + " " + found[i] + " where its memory limit and max item"
                        + " size give " + expected[i] + " (another build's layout, or a corrupt header)";
            }
        }
        if (channel.size() < g.regionSize()) {
            return "memory file " + file + " is " + channel.size() + " bytes, shorter than its region of "
                    + g.regionSize() + " bytes";
        }
        return null;
    }

    private static String megabytes(String flag, long bytes) {
        return bytes % StoreConfig.MIB == 0 ? flag + " " + bytes / StoreConfig.MIB + " (" + bytes + " bytes)"
                : "a memory limit of " + bytes + " bytes";
    }

    /** Writes a fresh header and empty shared state; the region's memory is all zeroes. */
    private void initialise(Geometry g, boolean casEnabled) {
        header.writeGeometry(g, casEnabled);
        Segments.initialise(this);
        header.writeMagic(); // last: the header is valid once the magic is there
    }

    /**
     * Zeroes the header, counters, segment metadata, index and ghost table, and writes a fresh
     * header and empty shared state, as {@link #open} leaves new anonymous memory ({@link Store#clear}).
     * Segments' bytes are left as they are: no read goes past a segment's items.
     */
    void clear(boolean casEnabled) {
        memory.asSlice(0, segmentsOffset).fill((byte) 0);
        initialise(geometry, casEnabled);
    }

    /** @return whether the region's header says CAS uniques are kept */
    boolean casEnabled() {
        return header.casEnabled();
    }

    long segmentBase(int segment) {
        return segmentsOffset + segment * segmentSize;
    }

    /** @return the segment an offset within the segments area lies in (check the offset first) */
    int segmentOf(long offset) {
        return (int) ((offset - segmentsOffset) / segmentSize);
    }

    /**
     * @return whether an item with these lengths lies within the region's segments: enough for
     *         a racing reader to stay in bounds, its segment's metadata included (it validates
     *         before trusting what it read; a slot emptied under it reads as item 0)
     */
    boolean holds(long item, int keyLength, int valueLength) {
        return item >= segmentsOffset && valueLength >= 0 && item + Items.size(keyLength, valueLength) <= memory.byteSize();
    }

    @Override
    public void close() {
        arena.close();
    }

    static long align(long value, long alignment) {
        return (value + alignment - 1) / alignment * alignment;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
