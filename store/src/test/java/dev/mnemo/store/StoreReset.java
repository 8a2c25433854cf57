package dev.mnemo.store;

/**
 * Test fixture for the other modules' fuzz targets (shipped in the store's test-jar): reaches the
 * store's package-private {@link Store#clear}, so that a target runs every input on one store as
 * if on a new one.
 */
public final class StoreReset {

    private StoreReset() {
    }

    /**
     * Empties the store back to the state a new anonymous store starts in ({@link Store#clear}).
     *
     * @param store an open store in anonymous memory without a background sweeper, used by no other thread
     * @throws IllegalStateException if the store is closed, file-backed or sweeps in the background
     */
    public static void clear(Store store) {
        store.clear();
    }
}
