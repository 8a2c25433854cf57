package dev.mnemo.store;

/**
 * The storage commands of protocol.txt ("Storage commands"), which differ only in the
 * condition under which they store and in how they combine the new data with an existing item.
 */
public enum StorageCommand {
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
    CAS
}
