package dev.mnemo.protocol;

/**
 * The storage commands of protocol.txt ("Storage commands") as the protocols name them; each maps
 * to one store method ({@link StorageSemantics#store}).
 */
enum StorageCommand {
    /** Store unconditionally. */
    SET,
    /** Store only if no live item has the key. */
    ADD,
    /** Store only if a live item has the key. */
    REPLACE,
    /** Add the data after the existing item's value; keep its client flags and exptime. */
    APPEND,
    /** Add the data before the existing item's value; keep its client flags and exptime. */
    PREPEND,
    /** Store only if the item's CAS unique equals the one given ("check and set"). */
    CAS;

    /** @return whether the command combines the data with the item's value (append, prepend) */
    boolean combines() {
        return this == APPEND || this == PREPEND;
    }
}
