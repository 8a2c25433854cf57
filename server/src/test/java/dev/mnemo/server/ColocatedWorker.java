package dev.mnemo.server;

import dev.mnemo.store.ItemView;
import dev.mnemo.store.Status;
import dev.mnemo.store.StorageCommand;
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
            StorageCommand command = switch (pick % 7) {
                case 0 -> StorageCommand.ADD;
                case 1 -> StorageCommand.REPLACE;
                case 2, 3 -> StorageCommand.APPEND;
                case 4 -> StorageCommand.PREPEND;
                default -> StorageCommand.SET;
            };
            long cas = 0;
            if (command == StorageCommand.APPEND || command == StorageCommand.PREPEND) {
                if (!read(keyLength)) {
                    command = StorageCommand.ADD;
                } else if (lastValue.length > GROWTH_LIMIT) {
                    command = StorageCommand.SET;
                }
            }
            if (pick % 5 == 0 && read(keyLength)) {
                command = StorageCommand.CAS;
                cas = lastCas;
            }
            int valueLength = value(CheckedValues.record(random));
            store.store(command, buffer, 0, keyLength, buffer, VALUE_AT, valueLength, 0,
                    random.nextInt(8) == 0 ? 3600 : 0, cas);
            return null;
        }
        if (pick < 90) {
            store.touch(buffer, 0, keyLength, random.nextBoolean() ? 0 : 3600);
            return null;
        }
        store.delete(buffer, 0, keyLength);
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
            store.store(StorageCommand.SET, buffer, 0, keyLength, buffer, VALUE_AT, valueLength, 0, 0, 0);
            return null;
        }
        Status status = store.incrDecr(buffer, 0, keyLength, pick % 2 == 0, random.nextInt(1000) + 1L, null);
        if (status == Status.NOT_FOUND) {
            int valueLength = value("0".getBytes(StandardCharsets.US_ASCII));
            store.store(StorageCommand.ADD, buffer, 0, keyLength, buffer, VALUE_AT, valueLength, 0, 0, 0);
        } else if (status == Status.NON_NUMERIC) {
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
}
