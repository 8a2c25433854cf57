package dev.mnemo.store;

/**
 * Thrown by the simple (byte[]) write methods of {@link Store} when a value is longer than the
 * store's max item size ({@link StoreBuilder#maxItemSize(int)}); nothing was stored, and for
 * {@code set} the key's previous item was removed, as memcached does.
 */
public final class ItemTooLargeException extends IllegalArgumentException {

    /**
     * @param valueLength the value's length, in bytes
     * @param maxItemSize the store's limit, in bytes
     */
    public ItemTooLargeException(long valueLength, int maxItemSize) {
        super("value of " + valueLength + " bytes is over the max item size of " + maxItemSize + " bytes");
    }
}
