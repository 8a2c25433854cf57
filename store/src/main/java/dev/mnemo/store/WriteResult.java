package dev.mnemo.store;

/**
 * What a storage operation did (protocol.txt "Storage commands": set, add, replace, append,
 * prepend, cas). Returned by the zero-copy write methods of {@link Store}.
 */
public enum WriteResult {
    /** The item was stored. */
    STORED,
    /** The condition of add (the key is present), replace, append or prepend (it is absent) did not hold. */
    NOT_STORED,
    /** compare-and-set: the item's CAS unique was not the one given. */
    EXISTS,
    /** compare-and-set: there is no item under the key. */
    NOT_FOUND,
    /** The value (for append and prepend, the combined value) is longer than the max item size. */
    TOO_LARGE,
    /** No memory could be freed for the item (every segment is in use by a writer). */
    OUT_OF_MEMORY
}
