package dev.mnemo.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An item header holds its CAS unique as a 4-byte delta from its segment's base. These tests
 * move the region's CAS counter (through a second mapping of a file-backed region) far past
 * the 2^32 range of the segments already written, and check that old and new items keep their
 * exact CAS uniques and that markStale still gives an item a new one.
 */
class CasRangeTest {

    private static final long JUMP = 1L << 33;

    @TempDir
    Path dir;

    @Test
    void casUniquesBeyondASegmentsRangeStayExact() throws IOException {
        Path file = dir.resolve("mnemo.region");
        try (Fixture f = new Fixture(Store.builder().memoryLimit(8 * Fixture.MIB).memoryFile(file))) {
            f.set("a", "value-a", 7, 0);
            long before = f.item("a").cas;
            assertTrue(before < Stripe.CAS_BLOCK);
            jumpCasCounter(file);
            long last = 0;
            for (int i = 0; i <= Stripe.CAS_BLOCK; i++) {
                f.set("k" + i, "v" + i);
                last = f.item("k" + i).cas;
            }
            assertTrue(last > JUMP, "the last set took a unique from the moved counter: " + last);
            assertEquals(before, f.item("a").cas, "an item written before keeps its unique");
            assertEquals(WriteResult.STORED, f.cas("k" + Stripe.CAS_BLOCK, "w", last));
            StoreStats stats = f.store.stats();

            assertEquals(DeleteResult.DELETED, f.markStale("a"));
            Fixture.Captured a = f.item("a");
            assertTrue(a.stale);
            assertTrue(a.cas > JUMP, "a new unique, out of the old segment's range: " + a.cas);
            assertEquals("value-a", a.value);
            assertEquals(7, a.flags);
            assertEquals(stats.currItems(), f.store.stats().currItems());
            assertEquals(stats.bytes(), f.store.stats().bytes());
            assertEquals(WriteResult.EXISTS, f.cas("a", "x", before));
            assertEquals(WriteResult.STORED, f.cas("a", "x", a.cas));
            assertEquals("x", f.get("a"));
        }
    }

    /** Moves the CAS counter in the region's header to {@link #JUMP}, as a long-running server would reach it. */
    private static void jumpCasCounter(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             Arena arena = Arena.ofConfined()) {
            MemorySegment header = channel.map(FileChannel.MapMode.READ_WRITE, 0, RegionHeader.SIZE, arena);
            header.set(ValueLayout.JAVA_LONG, RegionHeader.CAS_COUNTER, JUMP);
        }
    }
}
