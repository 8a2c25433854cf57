package dev.mnemo.store;

/**
 * Receives an item found by a read operation, so the caller can copy the value straight to
 * where it is going (a socket buffer, say) with no intermediate copy.
 *
 * <p>Readers take no lock (DESIGN.md, store direction point 6): if a concurrent writer replaces
 * the item while it is being read, the store calls {@link #read} again with the new consistent
 * view. So an implementation must make each call replace whatever the previous call of the same
 * operation produced (for example, reset a buffer's writer index to where it was before the
 * operation). The last call is the one that counts; the item it saw was live when the
 * operation completed.
 */
@FunctionalInterface
public interface ItemReader {

    /**
     * @param item a view of the item, valid only for the duration of this call
     */
    void read(ItemView item);
}
