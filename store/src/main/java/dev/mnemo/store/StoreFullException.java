package dev.mnemo.store;

/**
 * Thrown by the simple (byte[]) write methods of {@link Store} when no memory could be freed for
 * an item: every segment was held by a writer at once (memcached's "SERVER_ERROR out of memory
 * storing object"). Rare: the store evicts to make room; retrying later usually succeeds.
 */
public final class StoreFullException extends IllegalStateException {

    public StoreFullException() {
        super("out of memory storing object: no segment could be freed");
    }
}
