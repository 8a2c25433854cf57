package dev.mnemo.store;

/**
 * Thrown when a value read from the region is impossible — an offset, length, segment number or
 * queue link out of bounds, a state no code writes: the memory file is corrupt (or hostile).
 * The operation stops before touching memory outside the region; the store may go on serving
 * other keys. Extends {@link IllegalStateException}, which the store threw for a corrupt item
 * before.
 */
public final class StoreCorruptedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /** @param message what was found where */
    public StoreCorruptedException(String message) {
        super(message);
    }

    /** @return the exception for an item whose key and value lengths reach outside the region */
    static StoreCorruptedException itemOutsideRegion(long item) {
        return new StoreCorruptedException("corrupt item at region offset " + item
                + ": its lengths reach outside the region");
    }
}
