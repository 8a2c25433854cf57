package dev.mnemo.store;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Zeroed anonymous memory for a store without a memory file, mapped with {@code mmap(2)} and
 * advised to use transparent huge pages ({@code madvise(MADV_HUGEPAGE)}, Linux).
 *
 * <p>Why: with 4 KiB pages a random access into a store of hundreds of MiB misses the TLB as
 * well as the caches, and in a virtual machine the page walk is itself several dependent
 * loads. On the development VM a get in a 512 MiB store of 2^20 items took 0.76–0.88 of its
 * time with 4 KiB pages (docs/PERFORMANCE.md "Store latency with huge pages"). The kernel only
 * honours the advice when {@code /sys/kernel/mm/transparent_hugepage/enabled} is
 * {@code always} or {@code madvise} (the common default); otherwise the memory is plain
 * 4 KiB pages. memcached offers the same with {@code -L}; Mnemo always asks. Pages are
 * committed as they are first written, as memcached's slabs are, rather than all at start.
 *
 * <p>Where {@code mmap} cannot be called (not Linux, or native access denied with
 * {@code --illegal-native-access=deny}), the memory comes from {@link Arena#allocate}.
 */
final class AnonymousMemory {

    /** The huge page size the mapping is aligned to, in bytes (x86-64 and arm64 with 4 KiB base pages). */
    static final long HUGE_PAGE = 2L << 20;

    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20; // Linux values
    private static final int MADV_HUGEPAGE = 14;
    private static final long MAP_FAILED = -1L;

    private AnonymousMemory() {
    }

    /**
     * @param bytes the size, bytes
     * @param arena the arena whose closing unmaps the memory
     * @return {@code bytes} of zeroed memory, 2 MiB-aligned when mapped
     */
    static MemorySegment allocate(long bytes, Arena arena) {
        Native calls = Native.load();
        if (calls == null) {
            return arena.allocate(bytes, 4096);
        }
        long mapped = Region.align(bytes, HUGE_PAGE) + HUGE_PAGE; // room to align the start to a huge page
        MemorySegment raw;
        try {
            raw = (MemorySegment) calls.mmap.invokeExact(MemorySegment.NULL, mapped, PROT_READ_WRITE,
                    MAP_PRIVATE_ANONYMOUS, -1, 0L);
        } catch (Throwable e) {
            throw new IllegalStateException("mmap of " + mapped + " bytes failed", e);
        }
        if (raw.address() == MAP_FAILED) {
            return arena.allocate(bytes, 4096); // the kernel refused: let the JVM's allocator try (and fail clearly)
        }
        long start = Region.align(raw.address(), HUGE_PAGE);
        MemorySegment memory = MemorySegment.ofAddress(start).reinterpret(bytes, arena, unused -> calls.unmap(raw, mapped));
        calls.adviseHugePages(memory, Region.align(bytes, HUGE_PAGE));
        return memory;
    }

    /** The libc calls, or null where they cannot be had. */
    private record Native(MethodHandle mmap, MethodHandle munmap, MethodHandle madvise) {

        static Native load() {
            String os = System.getProperty("os.name", "");
            if (!os.startsWith("Linux")) {
                return null;
            }
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                MethodHandle mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                MethodHandle munmap = linker.downcallHandle(libc.find("munmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
                MethodHandle madvise = linker.downcallHandle(libc.find("madvise").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                                ValueLayout.JAVA_INT));
                return new Native(mmap, munmap, madvise);
            } catch (RuntimeException e) { // IllegalCallerException when native access is denied, or no such symbol
                return null;
            }
        }

        void unmap(MemorySegment raw, long bytes) {
            try {
                int result = (int) munmap.invokeExact(raw, bytes);
                assert result == 0 : "munmap failed";
            } catch (Throwable e) {
                throw new IllegalStateException("munmap failed", e);
            }
        }

        /** Advice only: a kernel without transparent huge pages refuses it and the memory stays as it is. */
        void adviseHugePages(MemorySegment memory, long bytes) {
            try {
                int ignored = (int) madvise.invokeExact(memory, bytes, MADV_HUGEPAGE);
            } catch (Throwable e) {
                throw new IllegalStateException("madvise failed", e);
            }
        }
    }
}
