package dev.mnemo.server;

import dev.mnemo.store.ArithmeticResult;
import dev.mnemo.store.ItemView;
import dev.mnemo.store.ItemWrite;
import dev.mnemo.store.Store;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

/**
 * Random cache operations on a small key set through a co-located {@link Store}, checking every
 * value it reads ({@link CheckedValues}). The crash test runs it in child JVMs that it kills with
 * SIGKILL, and in its own JVM as a checker.
 *
 * <p>Keys {@code key-0..} hold checked records (set, add, replace, append, prepend, cas, touch,
 * delete, get); keys {@code counter-0..} hold numbers (incr, decr, set). Not thread-safe: one
 * worker per thread.
 */
final class ColocatedWorker {

    static final int KEYS = 24;
    static final int COUNTERS = 4;
    /** Values stop growing by append/prepend beyond this many bytes. */
    private static final int GROWTH_LIMIT = 6000;
    private static final long VALUE_AT = 256;

    private final Store store;
    private final Random random;
    private final MemorySegment buffer;
    private final ItemWrite write = new ItemWrite();
    private byte[] lastValue;
    private long lastCas;

    ColocatedWorker(Store store, Random random, Arena arena) {
        this.store = store;
        this.random = random;
        this.buffer = arena.allocate(VALUE_AT + 4 * CheckedValues.MAX_PAYLOAD);
    }

    /**
     * Child JVM entry: attaches to the memory file {@code args[0]}, prints "ready", then runs
     * operations until killed; prints "CORRUPT <what>" and exits with status 3 if it reads a bad value.
     */
    public static void main(String[] args) {
        try (Store store = Store.attach(Path.of(args[0])); Arena arena = Arena.ofConfined()) {
            ColocatedWorker worker = new ColocatedWorker(store, new Random(Long.parseLong(args[1])), arena);
            System.out.println("ready");
            System.out.flush();
            while (true) {
                String problem = worker.step();
                if (problem != null) {
                    System.out.println("CORRUPT " + problem);
                    System.out.flush();
                    System.exit(3);
                }
            }
        }
    }

    /** Runs one random operation. @return null, or what was wrong with a value read */
    String step() {
        int pick = random.nextInt(100);
        if (pick < 15) {
            return counterStep();
        }
        int keyLength = key("key-" + random.nextInt(KEYS));
        if (pick < 45) {
            return read(keyLength) ? CheckedValues.check(lastValue) : null;
        }
        if (pick < 80) {
            Write command = switch (pick % 7) {
                case 0 -> Write.ADD;
                case 1 -> Write.REPLACE;
                case 2, 3 -> Write.APPEND;
                case 4 -> Write.PREPEND;
                default -> Write.SET;
            };
            long cas = 0;
            if (command == Write.APPEND || command == Write.PREPEND) {
                if (!read(keyLength)) {
                    command = Write.ADD;
                } else if (lastValue.length > GROWTH_LIMIT) {
                    command = Write.SET;
                }
            }
            if (pick % 5 == 0 && read(keyLength)) {
                command = Write.CAS;
                cas = lastCas;
            }
            int valueLength = value(CheckedValues.record(random));
            long expiresAt = random.nextInt(8) == 0 ? store.nowSeconds() + 3600 : 0;
            write.reset().key(buffer, 0, keyLength).value(buffer, VALUE_AT, valueLength).expiresAt(expiresAt);
            switch (command) {
                case ADD -> store.add(write);
                case REPLACE -> store.replace(write);
                case APPEND -> store.append(write);
                case PREPEND -> store.prepend(write);
                case CAS -> store.compareAndSet(write.casUnique(cas));
                case SET -> store.set(write);
            }
            return null;
        }
        if (pick < 90) {
            store.touch(buffer, 0, keyLength, random.nextBoolean() ? 0 : store.nowSeconds() + 3600);
            return null;
        }
        store.delete(buffer, 0, keyLength, 0);
        return null;
    }

    private String counterStep() {
        int keyLength = key("counter-" + random.nextInt(COUNTERS));
        int pick = random.nextInt(10);
        if (pick < 4) {
            return read(keyLength) ? CheckedValues.checkCounter(lastValue) : null;
        }
        if (pick == 4) {
            int valueLength = value(Long.toUnsignedString(random.nextLong() >>> random.nextInt(64))
                    .getBytes(StandardCharsets.US_ASCII));
            store.set(write.reset().key(buffer, 0, keyLength).value(buffer, VALUE_AT, valueLength));
            return null;
        }
        write.reset().key(buffer, 0, keyLength);
        long delta = random.nextInt(1000) + 1L;
        ArithmeticResult status = pick % 2 == 0 ? store.increment(write, delta) : store.decrement(write, delta);
        if (status == ArithmeticResult.NOT_FOUND) {
            int valueLength = value("0".getBytes(StandardCharsets.US_ASCII));
            store.add(write.reset().key(buffer, 0, keyLength).value(buffer, VALUE_AT, valueLength));
        } else if (status == ArithmeticResult.NON_NUMERIC) {
            return "incr/decr found a counter that is not a number";
        }
        return null;
    }

    private boolean read(int keyLength) {
        lastValue = null;
        boolean hit = store.get(buffer, 0, keyLength, this::copy);
        return hit && lastValue != null;
    }

    private void copy(ItemView item) {
        lastValue = item.memory().asSlice(item.valueOffset(), item.valueLength()).toArray(ValueLayout.JAVA_BYTE);
        lastCas = item.casUnique();
    }

    private int key(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(bytes, 0, buffer, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return bytes.length;
    }

    private int value(byte[] bytes) {
        MemorySegment.copy(bytes, 0, buffer, ValueLayout.JAVA_BYTE, VALUE_AT, bytes.length);
        return bytes.length;
    }

    /** The storage commands the worker picks from. */
    private enum Write { SET, ADD, REPLACE, APPEND, PREPEND, CAS }
}
