package dev.mnemo.protocol;

/**
 * The storage commands of protocol.txt ("Storage commands") as the text, binary and meta
 * protocols name them: {@link StorageSemantics#store} and {@link StorageSemantics#metaStore}
 * run each as the store method of the same name (cas as compareAndSet).
 */
enum StorageCommand {
    SET, ADD, REPLACE, APPEND, PREPEND, CAS;

    /** @return whether the command joins the data to the item's value (append, prepend) */
    boolean combines() {
        return this == APPEND || this == PREPEND;
    }
}
