package dev.mnemo.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnonymousMemoryTest {

    private static final long SIZE = 6L * Fixture.MIB + 4096; // not a multiple of the huge page

    @Test
    void memoryIsZeroedWritableAndHugePageAligned() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = AnonymousMemory.allocate(SIZE, arena);
            assertEquals(SIZE, memory.byteSize());
            for (long offset = 0; offset < SIZE; offset += 4096) {
                assertEquals(0L, memory.get(ValueLayout.JAVA_LONG, offset), "zeroed at " + offset);
                memory.set(ValueLayout.JAVA_LONG, offset, offset + 1);
            }
            memory.set(ValueLayout.JAVA_LONG, SIZE - Long.BYTES, 7);
            assertEquals(4097L, memory.get(ValueLayout.JAVA_LONG, 4096));
            assertEquals(7L, memory.get(ValueLayout.JAVA_LONG, SIZE - Long.BYTES));
            if (isLinux()) {
                assertEquals(0, memory.address() % AnonymousMemory.HUGE_PAGE, "aligned to a huge page");
            }
        }
    }

    @Test
    void mappingIsAdvisedToUseHugePages() throws IOException {
        assumeTrue(isLinux() && Files.isDirectory(Path.of("/sys/kernel/mm/transparent_hugepage")),
                "needs Linux with transparent huge pages");
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = AnonymousMemory.allocate(SIZE, arena);
            List<String> flags = vmFlags(memory.address());
            assertTrue(flags.contains("hg"), "madvise(MADV_HUGEPAGE) shows as 'hg' in smaps, got " + flags);
        }
    }

    @Test
    void storeWithoutFileWorksOnTheMapping() {
        try (Fixture f = new Fixture(Store.builder().memoryLimit(8L * Fixture.MIB))) {
            f.set("k", "v");
            assertEquals("v", f.get("k"));
            f.store.checkConsistency();
        }
    }

    private static boolean isLinux() {
        return System.getProperty("os.name", "").startsWith("Linux");
    }

    /** @return the VmFlags of the /proc/self/smaps mapping holding the address */
    private static List<String> vmFlags(long address) throws IOException {
        boolean inside = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            int dash = line.indexOf('-');
            int space = line.indexOf(' ');
            if (dash > 0 && space > dash && line.substring(0, dash).chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                long start = HexFormat.fromHexDigitsToLong(line.substring(0, dash));
                long end = HexFormat.fromHexDigitsToLong(line.substring(dash + 1, space));
                inside = Long.compareUnsigned(start, address) <= 0 && Long.compareUnsigned(address, end) < 0;
            } else if (inside && line.startsWith("VmFlags:")) {
                return List.of(line.substring("VmFlags:".length()).trim().split(" "));
            }
        }
        throw new AssertionError("no mapping holds address 0x" + Long.toHexString(address));
    }
}
