package dev.mnemo.store;

/**
 * The engine's storage modes (protocol.txt "Storage commands"), which differ only in the
 * condition under which they store and in how they combine the new value with an existing item.
 * Package-private: callers pick {@link Store#set(ItemWrite)}, {@link Store#add(ItemWrite)}, …
 */
enum WriteMode {
    /** Store unconditionally. */
    SET,
    /** Store only if no live item has the key. */
    ADD,
    /** Store only if a live item has the key. */
    REPLACE,
    /** Add the value after the existing item's; keep its client flags and expiry. */
    APPEND,
    /** Add the value before the existing item's; keep its client flags and expiry. */
    PREPEND,
    /** Store only if the item's CAS unique equals the one given ("check and set"). */
    CAS;

    /** @return whether the mode combines the new value with the item's (append, prepend) */
    boolean combines() {
        return this == APPEND || this == PREPEND;
    }
}
