package dev.mnemo.store;

/** What a delete did (protocol.txt "Deletion"). */
public enum DeleteResult {
    /** The item was removed (or, for the meta protocol's md with I or x, kept as asked). */
    DELETED,
    /** There is no item under the key. */
    NOT_FOUND,
    /** The item's CAS unique was not the one given; nothing changed. */
    EXISTS,
    /** md with x needed a new copy of the item and no memory could be freed for it. */
    OUT_OF_MEMORY
}
