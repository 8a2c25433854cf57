package dev.mnemo.protocol;

import dev.mnemo.store.ItemWrite;
import dev.mnemo.store.MetaOperations;
import dev.mnemo.store.Store;
import dev.mnemo.store.WriteResult;

import java.lang.foreign.MemorySegment;

/**
 * memcached's storage semantics that the text, meta and binary protocols share, each coded once:
 * which store method a storage command runs, which command a request carrying a CAS unique
 * becomes, and that a store failing for the value's size or for memory drops the key's old item,
 * so that no stale value outlives a failed set (memcached's process_update_command and
 * process_bin_update unlink it). The store drops it atomically for set ({@link Store#set}) and
 * for every meta set mode ({@link MetaOperations}); a set turned into cas by a CAS unique (binary)
 * and a value refused before it reached the store (too large) drop it here, with a delete.
 *
 * <p>Thread-safe as the store is; one per protocol instance.
 */
final class StorageSemantics {

    private final Store store;
    private final MetaOperations meta;

    StorageSemantics(Store store) {
        this.store = store;
        this.meta = store.meta();
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

    /** Runs a text or binary storage command; set drops the old item on failure, in the store. */
    WriteResult store(StorageCommand command, ItemWrite w) {
        return switch (command) {
            case SET -> store.set(w);
            case ADD -> store.add(w);
            case REPLACE -> store.replace(w);
            case APPEND -> store.append(w);
            case PREPEND -> store.prepend(w);
            case CAS -> store.compareAndSet(w);
        };
    }

    /** Runs a meta set (protocol.txt "Meta Set"); every mode drops the old item on failure, in the store. */
    WriteResult metaStore(StorageCommand command, ItemWrite w) {
        return switch (command) {
            case SET -> meta.set(w);
            case ADD -> meta.add(w);
            case REPLACE -> meta.replace(w);
            case APPEND -> meta.append(w);
            case PREPEND -> meta.prepend(w);
            case CAS -> meta.compareAndSet(w);
        };
    }

    /**
     * After a store the store did not drop for (binary SET or SETQ turned into cas by a CAS
     * unique): when it failed for the value's size or for memory, deletes the key's old item.
     *
     * @return {@code result}
     */
    WriteResult dropOldItemIfFailed(WriteResult result, MemorySegment key, long keyOffset, int keyLength) {
        if (result == WriteResult.TOO_LARGE || result == WriteResult.OUT_OF_MEMORY) {
            dropOldItem(key, keyOffset, keyLength);
        }
        return result;
    }

    /** Deletes the key's old item, for a value refused before it reached the store (too large). */
    void dropOldItem(MemorySegment key, long keyOffset, int keyLength) {
        store.delete(key, keyOffset, keyLength, 0);
    }
}
