package dev.mnemo.store;

/**
 * Test fixture for the other modules' tests (shipped in the store's test-jar): reaches the
 * store's package-private consistency check.
 */
public final class StoreChecks {

    private StoreChecks() {
    }

    /**
     * Walks the whole region and returns normally if it is consistent; call it only on a
     * quiescent store (no thread or attached process writing).
     *
     * @param store the store to check
     * @throws IllegalStateException naming the first problem found
     */
    public static void checkConsistency(Store store) {
        store.checkConsistency();
    }
}
