package dev.mnemo.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A copy of an item, as {@link Store#getItem(byte[])} returns it.
 *
 * @param value       the value bytes (a copy: changing it changes nothing in the store)
 * @param clientFlags the 32-bit client flags stored with it (protocol.txt "Storage commands")
 * @param casUnique   its CAS unique, for {@link Store#compareAndSet(byte[], long, byte[])}; 0 when
 *                    the store was built with CAS disabled
 * @param expiresAt   when it expires (whole seconds), empty if never
 */
public record Item(byte[] value, int clientFlags, long casUnique, Optional<Instant> expiresAt) {

    public Item {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
