package dev.mnemo.store;

/** What {@link Store#compareAndSet(byte[], long, byte[])} did. */
public enum CasResult {
    /** The item had the given CAS unique and now has the new value (and a new CAS unique). */
    STORED,
    /** The item has another CAS unique: another writer changed it since it was read. */
    EXISTS,
    /** There is no item under the key. */
    NOT_FOUND
}
