package dev.mnemo.store;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How a {@link Store} was opened: what {@link StoreBuilder} collected, or what {@link Store#attach}
 * read from the memory file's header. Package-private; immutable.
 *
 * @param memoryLimit  the hard bound on index + item bytes, in bytes (memcached's {@code -m},
 *                     which is in megabytes)
 * @param maxItemSize  the largest value accepted, in bytes (memcached's {@code -I}, which bounds
 *                     the whole item; Mnemo bounds the value); 1 KiB to 1 GiB
 * @param memoryFile   the file to map the region from, or {@code null} for anonymous memory
 * @param clock        the time source for expiry, last access and flush_all
 * @param casEnabled   {@code false} as memcached's {@code -C}: CAS uniques are 0 and
 *                     compare-and-set never matches
 * @param memoryFileMode  POSIX permissions given to a memory file the store creates, as three or
 *                        four octal digits; an existing file's are kept
 * @param discardExisting whether an existing memory file whose header does not match (another
 *                        layout version or geometry) is reinitialised instead of refused
 */
record StoreConfig(long memoryLimit, int maxItemSize, Path memoryFile, Clock clock, boolean casEnabled,
                   String memoryFileMode, boolean discardExisting) {

    /** 1 MiB in bytes. */
    static final int MIB = 1 << 20;

    /** The default memory file mode: owner read and write only. */
    static final String DEFAULT_MEMORY_FILE_MODE = "0600";

    StoreConfig {
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
}
