package dev.mnemo.store;

/** What an increment or decrement did (protocol.txt "Increment/Decrement"). */
public enum ArithmeticResult {
    /** The number was changed (or, given an initial value, the missing item was created from it). */
    UPDATED,
    /** There is no item under the key (and no initial value was given). */
    NOT_FOUND,
    /** The item's CAS unique was not the one given; nothing changed. */
    EXISTS,
    /** The item's value is not the decimal text of an unsigned 64-bit number. */
    NON_NUMERIC,
    /** The initial value is longer than the max item size. */
    TOO_LARGE,
    /** No memory could be freed for the new value. */
    OUT_OF_MEMORY
}
