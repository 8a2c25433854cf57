package dev.mnemo.store;

/**
 * The outcome of a store operation. Every protocol outcome is a value, never an exception:
 * the names follow memcached's replies (protocol.txt) so the protocol layer maps them 1:1.
 */
public enum Status {
    /** The item was stored (set/add/replace/append/prepend/cas; also a successful incr/decr). */
    STORED,
    /** The condition of add, replace, append or prepend was not met. */
    NOT_STORED,
    /** cas: the item was modified since the client fetched it (CAS unique mismatch). */
    EXISTS,
    /** No live item has the key. */
    NOT_FOUND,
    /** delete removed the item. */
    DELETED,
    /** touch updated the item's exptime. */
    TOUCHED,
    /** The item (key + value + header) can never fit: larger than the max item size or the memory limit. */
    TOO_LARGE,
    /** incr/decr on a value that is not the decimal text of an unsigned 64-bit number. */
    NON_NUMERIC,
    /** No memory could be freed for the item (every candidate segment is in use by writers). */
    OUT_OF_MEMORY
}
