package dev.mnemo.store;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Configures and opens a {@link Store}; obtain one with {@link Store#builder()}. Every setting has
 * a default, so {@code Store.builder().open()} is a 64 MiB store in anonymous memory. Not
 * thread-safe; a builder may open several stores.
 *
 * <pre>{@code
 * Store store = Store.builder()
 *         .memoryLimit(256L << 20)          // bytes: index and items never exceed it
 *         .memoryFile(Path.of("/dev/shm/cache.mem"))   // optional: warm restarts, co-located access
 *         .open();
 * }</pre>
 */
public final class StoreBuilder {

    private long memoryLimit = 64L * StoreConfig.MIB;
    private int maxItemSize = StoreConfig.MIB;
    private Path memoryFile;
    private String memoryFileMode = StoreConfig.DEFAULT_MEMORY_FILE_MODE;
    private boolean discardExisting;
    private boolean casEnabled = true;
    private Clock clock = Clock.SYSTEM;
    private boolean sweepInBackground = true;

    StoreBuilder() {
    }

    /**
     * @param bytes the hard bound on index and item bytes (memcached's {@code -m}, which is in
     *              megabytes); default 64 MiB. The store evicts to stay within it; a fixed control
     *              area of 12 KiB plus 48 bytes per segment comes on top.
     * @return this
     */
    public StoreBuilder memoryLimit(long bytes) {
        memoryLimit = bytes;
        return this;
    }

    /**
     * @param bytes the longest value accepted, in bytes, 1 KiB to 1 GiB (memcached's {@code -I},
     *              which bounds the whole item); default 1 MiB
     * @return this
     */
    public StoreBuilder maxItemSize(int bytes) {
        maxItemSize = bytes;
        return this;
    }

    /**
     * @param file the file to map the store from (tmpfs such as {@code /dev/shm} for speed): items
     *             survive a restart of the process (warm restart), and other processes on the host
     *             may {@link Store#attach} to it; null (the default) for private anonymous memory
     * @return this
     */
    public StoreBuilder memoryFile(Path file) {
        memoryFile = file;
        return this;
    }

    /** @param mode POSIX permissions of a memory file the store creates, e.g. "0640"; default "0600" @return this */
    public StoreBuilder memoryFileMode(String mode) {
        memoryFileMode = Objects.requireNonNull(mode, "mode");
        return this;
    }

    /**
     * @param discard whether an existing memory file made with another geometry or layout version
     *                is reinitialised empty (default false: {@link #open()} refuses it)
     * @return this
     */
    public StoreBuilder discardExisting(boolean discard) {
        discardExisting = discard;
        return this;
    }

    /** @param enabled false as memcached's {@code -C}: CAS uniques are 0 and compare-and-set never matches; default true @return this */
    public StoreBuilder casEnabled(boolean enabled) {
        casEnabled = enabled;
        return this;
    }

    /** @param source the time source for expiry, last access and flush (tests pass a manual one); default the system clock @return this */
    public StoreBuilder clock(Clock source) {
        clock = Objects.requireNonNull(source, "clock");
        return this;
    }

    /**
     * @param background whether the store reclaims expired items on a daemon thread of its own
     *                   (default true); false to drive {@link Store#sweepExpired(int)} yourself, about
     *                   eight times a second, as the server does from its event loop
     * @return this
     */
    public StoreBuilder sweepExpiredInBackground(boolean background) {
        sweepInBackground = background;
        return this;
    }

    /**
     * Opens the store: anonymous memory, or the memory file (created if missing; a matching one is
     * a warm restart with every item it holds).
     *
     * @return the open store
     * @throws IllegalArgumentException if a setting is out of range, the memory limit is too small
     *                                  for the max item size, or an existing memory file does not
     *                                  match and {@link #discardExisting} is off
     * @throws java.io.UncheckedIOException if the memory file cannot be created, read or mapped
     */
    public Store open() {
        return Store.open(new StoreConfig(memoryLimit, maxItemSize, memoryFile, clock, casEnabled, memoryFileMode,
                discardExisting), sweepInBackground);
    }
}
