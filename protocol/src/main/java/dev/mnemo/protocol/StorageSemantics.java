package dev.mnemo.protocol;

import dev.mnemo.store.Status;
import dev.mnemo.store.StorageCommand;
import dev.mnemo.store.Store;

import java.lang.foreign.MemorySegment;

/**
 * memcached's storage semantics that the text, meta and binary protocols share, each coded once:
 * which command a storage request carrying a CAS unique becomes, and that a store failing for
 * the value's size or for memory drops the key's old item, so that no stale value outlives a
 * failed set (memcached's process_update_command and process_bin_update unlink it). The drop is
 * a delete after the failed store, not one atomic operation with it.
 *
 * <p>Thread-safe as the store is; one per protocol instance.
 */
final class StorageSemantics {

    private final Store store;

    StorageSemantics(Store store) {
        this.store = store;
    }

    /**
     * memcached's rule for a storage request that carries a CAS unique: set and replace become
     * cas; add becomes cas in the binary protocol (process_bin_update), while ms's add ignores
     * the unique ("add-with-cas works the same as add", proto_text.c); append and prepend stay
     * themselves and check the unique. The text protocol has its own cas command instead.
     *
     * @param command       the command the request names
     * @param addBecomesCas whether add becomes cas too (binary) or ignores the unique (meta)
     * @return the command to execute, given that the request carries a CAS unique
     */
    static StorageCommand withCasUnique(StorageCommand command, boolean addBecomesCas) {
        return switch (command) {
            case SET, REPLACE -> StorageCommand.CAS;
            case ADD -> addBecomesCas ? StorageCommand.CAS : StorageCommand.ADD;
            default -> command;
        };
    }

    /**
     * After a store: when it failed for the value's size or for memory and {@code drop} holds
     * (each protocol says for which commands), deletes the key's old item.
     *
     * @return {@code status}
     */
    Status dropOldItemIfFailed(Status status, boolean drop, MemorySegment key, long keyOffset, int keyLength) {
        if (drop && (status == Status.TOO_LARGE || status == Status.OUT_OF_MEMORY)) {
            dropOldItem(key, keyOffset, keyLength);
        }
        return status;
    }

    /** Deletes the key's old item, for a value refused before it reached the store (too large). */
    void dropOldItem(MemorySegment key, long keyOffset, int keyLength) {
        store.delete(key, keyOffset, keyLength);
    }
}
