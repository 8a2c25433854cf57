package dev.mnemo.store;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to open a {@link Store}. Immutable; build it from {@link #defaults()} with the
 * {@code with…} methods.
 *
 * @param memoryLimit  the hard bound on index + item bytes, in bytes (memcached's {@code -m},
 *                     which is in megabytes); {@link Store#open} refuses one too small to work
 * @param maxItemSize  the largest value accepted, in bytes (memcached's {@code -I}, which bounds
 *                     the whole item; Mnemo bounds the value so that a value of exactly
 *                     {@code -I} bytes fits); 1 KiB to 1 GiB, default 1 MiB
 * @param memoryFile   the file to map the region from, or {@code null} for anonymous memory
 * @param clock        the time source for exptime, last access and flush_all
 * @param casEnabled   {@code false} as memcached's {@code -C}: CAS uniques are 0 and cas
 *                     commands never match
 * @param memoryFileMode  POSIX permissions given to the memory file when {@link Store#open} creates
 *                        it, as four octal digits ("0600", the default); an existing file's are kept
 * @param discardExisting whether {@link Store#open} reinitialises an existing memory file whose
 *                        header does not match (another layout version or geometry) instead of
 *                        refusing it; a matching file is always reused (warm restart)
 */
public record StoreConfig(long memoryLimit, int maxItemSize, Path memoryFile, Clock clock, boolean casEnabled,
                          String memoryFileMode, boolean discardExisting) {

    /** 1 MiB in bytes. */
    public static final int MIB = 1 << 20;

    public StoreConfig {
        Objects.requireNonNull(clock, "clock");
        if (maxItemSize < 1024 || maxItemSize > 1024 * MIB) {
            throw new IllegalArgumentException("max item size must be 1 KiB to 1 GiB, was " + maxItemSize + " bytes");
        }
        Objects.requireNonNull(memoryFileMode, "memoryFileMode");
        if (!memoryFileMode.matches("0?[0-7]{3}")) {
            throw new IllegalArgumentException("memory file mode must be octal permissions such as 0600, was "
                    + memoryFileMode);
        }
        if (memoryLimit < 1) {
            throw new IllegalArgumentException("memory limit must be positive, was " + memoryLimit + " bytes");
        }
    }

    /** The memory file mode used unless {@link #withMemoryFileMode} says otherwise: owner read and write only. */
    public static final String DEFAULT_MEMORY_FILE_MODE = "0600";

    /**
     * @return 64 MiB of anonymous memory, 1 MiB max item size, the system clock, CAS enabled,
     *         memory file mode 0600, an existing mismatching memory file refused
     */
    public static StoreConfig defaults() {
        return new StoreConfig(64L * MIB, MIB, null, Clock.SYSTEM, true, DEFAULT_MEMORY_FILE_MODE, false);
    }

    /** @param bytes the memory limit in bytes @return a copy with it */
    public StoreConfig withMemoryLimit(long bytes) {
        return new StoreConfig(bytes, maxItemSize, memoryFile, clock, casEnabled, memoryFileMode, discardExisting);
    }

    /** @param bytes the max item size in bytes @return a copy with it */
    public StoreConfig withMaxItemSize(int bytes) {
        return new StoreConfig(memoryLimit, bytes, memoryFile, clock, casEnabled, memoryFileMode, discardExisting);
    }

    /** @param file the file to map, or null for anonymous memory @return a copy with it */
    public StoreConfig withMemoryFile(Path file) {
        return new StoreConfig(memoryLimit, maxItemSize, file, clock, casEnabled, memoryFileMode, discardExisting);
    }

    /** @param newClock the time source @return a copy with it */
    public StoreConfig withClock(Clock newClock) {
        return new StoreConfig(memoryLimit, maxItemSize, memoryFile, newClock, casEnabled, memoryFileMode, discardExisting);
    }

    /** @param enabled whether CAS uniques are kept @return a copy with it */
    public StoreConfig withCasEnabled(boolean enabled) {
        return new StoreConfig(memoryLimit, maxItemSize, memoryFile, clock, enabled, memoryFileMode, discardExisting);
    }

    /**
     * @param mode POSIX permissions for a memory file created by {@link Store#open}, e.g. "0640"
     * @return a copy with it
     * @throws IllegalArgumentException if not three or four octal digits
     */
    public StoreConfig withMemoryFileMode(String mode) {
        return new StoreConfig(memoryLimit, maxItemSize, memoryFile, clock, casEnabled, mode, discardExisting);
    }

    /** @param discard whether to reinitialise a mismatching memory file instead of refusing it @return a copy with it */
    public StoreConfig withDiscardExisting(boolean discard) {
        return new StoreConfig(memoryLimit, maxItemSize, memoryFile, clock, casEnabled, memoryFileMode, discard);
    }
}
