package dev.mnemo.store;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * Test helper: a store with a ManualClock and no background sweeper (tests sweep themselves),
 * driven through the zero-copy API with String keys and values. Expiration times are absolute
 * Unix seconds, as the store takes them; {@link #in(long)} makes one relative to the clock.
 */
final class Fixture implements AutoCloseable {

    static final long START = 1_700_000_000L;
    static final int MIB = 1 << 20;

    final ManualClock clock = new ManualClock(START);
    final Store store;

    Fixture() {
        this(Store.builder().memoryLimit(16 * MIB));
    }

    /** Opens the builder's store with this fixture's clock and without the background sweeper. */
    Fixture(StoreBuilder builder) {
        store = builder.clock(clock).sweepExpiredInBackground(false).open();
    }

    static MemorySegment bytes(String s) {
        return MemorySegment.ofArray(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** @return the Unix time {@code seconds} from the clock's now */
    long in(long seconds) {
        return clock.nowSeconds() + seconds;
    }

    /** @return a new ItemWrite of the key and value: client flags 0, never expires, no CAS unique */
    static ItemWrite write(String key, String value) {
        MemorySegment k = bytes(key);
        MemorySegment v = bytes(value);
        return new ItemWrite().key(k, 0, (int) k.byteSize()).value(v, 0, (int) v.byteSize());
    }

    /** @return a new ItemWrite of the key alone (delete, incr, decr) */
    static ItemWrite key(String key) {
        MemorySegment k = bytes(key);
        return new ItemWrite().key(k, 0, (int) k.byteSize());
    }

    WriteResult set(String key, String value) {
        return store.set(write(key, value));
    }

    WriteResult set(String key, String value, int flags, long expiresAt) {
        return store.set(write(key, value).clientFlags(flags).expiresAt(expiresAt));
    }

    WriteResult add(String key, String value) {
        return store.add(write(key, value));
    }

    WriteResult replace(String key, String value) {
        return store.replace(write(key, value));
    }

    WriteResult append(String key, String value) {
        return store.append(write(key, value));
    }

    WriteResult prepend(String key, String value) {
        return store.prepend(write(key, value));
    }

    WriteResult cas(String key, String value, long casUnique) {
        return store.compareAndSet(write(key, value).casUnique(casUnique));
    }

    DeleteResult delete(String key) {
        return delete(key, 0);
    }

    DeleteResult delete(String key, long cas) {
        MemorySegment k = bytes(key);
        return store.delete(k, 0, (int) k.byteSize(), cas);
    }

    ArithmeticResult incr(String key, long delta, Captured result) {
        return incr(key, delta, 0, result);
    }

    ArithmeticResult incr(String key, long delta, long cas, Captured result) {
        return store.increment(key(key).casUnique(cas).onStored(result), delta);
    }

    ArithmeticResult decr(String key, long delta, Captured result) {
        return store.decrement(key(key).onStored(result), delta);
    }

    /** An incr that creates a missing item from {@code initial}, never expiring (binary protocol's Increment). */
    ArithmeticResult incrOrCreate(String key, long delta, long cas, String initial, Captured result) {
        return store.increment(write(key, initial).casUnique(cas).vivify(0).onStored(result), delta);
    }

    /** Marks the key's item stale, as meta delete with I (and no other flag) does. */
    DeleteResult markStale(String key) {
        MemorySegment k = bytes(key);
        return store.meta().delete(k, 0, (int) k.byteSize(), false, 0, true, false, -1, 0);
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

    Captured gat(String key, long expiresAt) {
        MemorySegment k = bytes(key);
        Captured c = new Captured();
        return store.getAndTouch(k, 0, (int) k.byteSize(), expiresAt, c) ? c : null;
    }

    boolean touch(String key, long expiresAt) {
        MemorySegment k = bytes(key);
        return store.touch(k, 0, (int) k.byteSize(), expiresAt);
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
