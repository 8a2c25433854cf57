package dev.mnemo.store;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/** Test helper: a store with a ManualClock, driven with String keys and values. */
final class Fixture implements AutoCloseable {

    static final long START = 1_700_000_000L;

    final ManualClock clock = new ManualClock(START);
    final Store store;

    Fixture() {
        this(StoreConfig.defaults().withMemoryLimit(16L * StoreConfig.MIB));
    }

    Fixture(StoreConfig config) {
        store = Store.open(config.withClock(clock));
    }

    static MemorySegment bytes(String s) {
        return MemorySegment.ofArray(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    Status set(String key, String value) {
        return store(StorageCommand.SET, key, value, 0, 0, 0);
    }

    Status set(String key, String value, int flags, long exptime) {
        return store(StorageCommand.SET, key, value, flags, exptime, 0);
    }

    Status store(StorageCommand command, String key, String value, int flags, long exptime, long cas) {
        MemorySegment k = bytes(key);
        MemorySegment v = bytes(value);
        return store.store(command, k, 0, (int) k.byteSize(), v, 0, (int) v.byteSize(), flags, exptime, cas);
    }

    /** A storage command with a CAS check (append/prepend) whose stored item {@code stored} is shown. */
    Status store(StorageCommand command, String key, String value, long cas, Captured stored) {
        MemorySegment k = bytes(key);
        MemorySegment v = bytes(value);
        return store.store(command, k, 0, (int) k.byteSize(), v, 0, (int) v.byteSize(), 0, 0, cas, stored);
    }

    Status delete(String key, long cas) {
        MemorySegment k = bytes(key);
        return store.delete(k, 0, (int) k.byteSize(), cas);
    }

    Status incr(String key, long delta, long cas, Captured result) {
        MemorySegment k = bytes(key);
        return store.incrDecr(k, 0, (int) k.byteSize(), true, delta, cas, result);
    }

    Status incrOrCreate(String key, long delta, long cas, String initial, Captured result) {
        MemorySegment k = bytes(key);
        MemorySegment i = bytes(initial);
        return store.incrDecr(k, 0, (int) k.byteSize(), true, delta, cas, i, 0, (int) i.byteSize(), 0, result);
    }

    /** @return the value, or null on a miss */
    String get(String key) {
        Captured c = item(key);
        return c == null ? null : c.value;
    }

    Captured item(String key) {
        MemorySegment k = bytes(key);
        Captured c = new Captured();
        return store.get(k, 0, (int) k.byteSize(), c) ? c : null;
    }

    Captured gat(String key, long exptime) {
        MemorySegment k = bytes(key);
        Captured c = new Captured();
        return store.getAndTouch(k, 0, (int) k.byteSize(), exptime, c) ? c : null;
    }

    Status touch(String key, long exptime) {
        MemorySegment k = bytes(key);
        return store.touch(k, 0, (int) k.byteSize(), exptime);
    }

    Status delete(String key) {
        MemorySegment k = bytes(key);
        return store.delete(k, 0, (int) k.byteSize());
    }

    Status incr(String key, long delta, Captured result) {
        MemorySegment k = bytes(key);
        return store.incrDecr(k, 0, (int) k.byteSize(), true, delta, result);
    }

    Status decr(String key, long delta, Captured result) {
        MemorySegment k = bytes(key);
        return store.incrDecr(k, 0, (int) k.byteSize(), false, delta, result);
    }

    @Override
    public void close() {
        store.close();
    }

    /** An ItemReader that copies what it is shown. */
    static final class Captured implements ItemReader {
        String key;
        String value;
        int flags;
        long cas;
        long expiresAt;
        long lastAccess;
        boolean stale;
        boolean fetched;
        int calls;

        @Override
        public void read(ItemView item) {
            calls++;
            byte[] k = item.memory().asSlice(item.keyOffset(), item.keyLength()).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            byte[] v = item.memory().asSlice(item.valueOffset(), item.valueLength()).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            key = new String(k, StandardCharsets.ISO_8859_1);
            value = new String(v, StandardCharsets.ISO_8859_1);
            flags = item.clientFlags();
            cas = item.casUnique();
            expiresAt = item.expiresAt();
            lastAccess = item.lastAccess();
            stale = item.isStale();
            fetched = item.isFetched();
        }
    }
}
