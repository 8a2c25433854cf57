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
 */
public record StoreConfig(long memoryLimit, int maxItemSize, Path memoryFile, Clock clock, boolean casEnabled) {

    /** 1 MiB in bytes. */
    public static final int MIB = 1 << 20;

    public StoreConfig {
        Objects.requireNonNull(clock, "clock");
        if (maxItemSize < 1024 || maxItemSize > 1024 * MIB) {
            throw new IllegalArgumentException("max item size must be 1 KiB to 1 GiB, was " + maxItemSize + " bytes");
        }
        if (memoryLimit < 1) {
            throw new IllegalArgumentException("memory limit must be positive, was " + memoryLimit + " bytes");
        }
    }

    /** @return 64 MiB of anonymous memory, 1 MiB max item size, the system clock, CAS enabled */
    public static StoreConfig defaults() {
        return new StoreConfig(64L * MIB, MIB, null, Clock.SYSTEM, true);
    }

    /** @param bytes the memory limit in bytes @return a copy with it */
    public StoreConfig withMemoryLimit(long bytes) {
        return new StoreConfig(bytes, maxItemSize, memoryFile, clock, casEnabled);
    }

    /** @param bytes the max item size in bytes @return a copy with it */
    public StoreConfig withMaxItemSize(int bytes) {
        return new StoreConfig(memoryLimit, bytes, memoryFile, clock, casEnabled);
    }

    /** @param file the file to map, or null for anonymous memory @return a copy with it */
    public StoreConfig withMemoryFile(Path file) {
        return new StoreConfig(memoryLimit, maxItemSize, file, clock, casEnabled);
    }

    /** @param newClock the time source @return a copy with it */
    public StoreConfig withClock(Clock newClock) {
        return new StoreConfig(memoryLimit, maxItemSize, memoryFile, newClock, casEnabled);
    }

    /** @param enabled whether CAS uniques are kept @return a copy with it */
    public StoreConfig withCasEnabled(boolean enabled) {
        return new StoreConfig(memoryLimit, maxItemSize, memoryFile, clock, enabled);
    }
}
