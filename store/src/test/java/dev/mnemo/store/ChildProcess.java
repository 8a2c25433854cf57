package dev.mnemo.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM for the multi-process tests, started by {@link #start} with the test classpath.
 * Modes (first argument), each on the memory file given second:
 * <ul>
 * <li>{@code own FILE MEMORY N}: opens the file as owner, stores N items, says READY, then
 *     stores more forever (until killed)</li>
 * <li>{@code own-grow FILE MEMORY N}: opens the file as owner, stores N items, says READY, then
 *     stores 150,000 new keys {@code grow<i>}, the index expanding, and waits to be killed</li>
 * <li>{@code own-evict FILE MEMORY SEED}: opens the file as owner, says READY, then stores and
 *     reads random keys of 100,000 forever, evicting</li>
 * <li>{@code attach FILE N}: attaches, stores N items {@code child<i>}, says READY, prints the
 *     value of each key read from stdin, closes at "quit"</li>
 * <li>{@code hold FILE KEY}: attaches, stores KEY, takes its bucket locks and the segment
 *     lock, says READY and waits to be killed</li>
 * <li>{@code churn FILE SEED}: attaches, says READY and runs random operations until killed, on
 *     200 hot keys and 40,000 others (enough to make an 8 MiB store evict)</li>
 * </ul>
 * Values written are {@link #value} of their key, so a reader can tell a complete one.
 */
final class ChildProcess {

    private ChildProcess() {
    }

    /** @return the value the children store for a key: self-describing, so a torn one is detected */
    static String value(String key, int round) {
        return key + ":" + round + ":" + "x".repeat(Math.floorMod(key.hashCode() + round, 300)) + ":end";
    }

    /** @return whether a value read for a key is one {@link #value} made */
    static boolean complete(String key, String value) {
        String[] parts = value.split(":", -1);
        if (parts.length != 4 || !parts[0].equals(key) || !parts[3].equals("end")) {
            return false;
        }
        return value.equals(value(key, Integer.parseInt(parts[1])));
    }

    static Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-Xmx64m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ChildProcess.class.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** Waits (bounded) for the child's READY line. */
    static BufferedReader awaitReady(Process child) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (!"READY".equals(line)) {
            throw new IllegalStateException("child said " + line + " instead of READY");
        }
        return out;
    }

    static void kill(Process child) throws InterruptedException {
        child.destroyForcibly();
        if (!child.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("child did not die");
        }
    }

    private static MemorySegment bytes(String s) {
        return MemorySegment.ofArray(s.getBytes(StandardCharsets.UTF_8));
    }

    static WriteResult set(Store store, String key, String value) {
        MemorySegment k = bytes(key);
        MemorySegment v = bytes(value);
        return store.set(new ItemWrite().key(k, 0, (int) k.byteSize()).value(v, 0, (int) v.byteSize()));
    }

    static String get(Store store, String key) {
        MemorySegment k = bytes(key);
        String[] found = {null};
        store.get(k, 0, (int) k.byteSize(), item -> found[0] = new String(
                item.memory().asSlice(item.valueOffset(), item.valueLength()).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                StandardCharsets.UTF_8));
        return found[0];
    }

    /** Opens the file as owner, stores {@code own<i>} (round 0) for i below n, and says READY. */
    private static Store ownAndStore(Path file, long memory, int n) {
        Store store = Store.builder().memoryLimit(memory).memoryFile(file).sweepExpiredInBackground(false).open();
        for (int i = 0; i < n; i++) {
            set(store, "own" + i, value("own" + i, 0));
        }
        System.out.println("READY");
        System.out.flush();
        return store;
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[1]);
        switch (args[0]) {
            case "own" -> {
                int n = Integer.parseInt(args[3]);
                Store store = ownAndStore(file, Long.parseLong(args[2]), n);
                for (int round = 1;; round++) {
                    for (int i = 0; i < n; i++) {
                        set(store, "own" + i, value("own" + i, round));
                    }
                }
            }
            case "own-grow" -> {
                Store store = ownAndStore(file, Long.parseLong(args[2]), Integer.parseInt(args[3]));
                for (int i = 0; i < 150_000; i++) { // about 35 MB: no eviction in the test's 64 MiB
                    set(store, "grow" + i, value("grow" + i, 0));
                }
                Thread.sleep(Long.MAX_VALUE);
            }
            case "own-evict" -> {
                Store store = Store.builder().memoryLimit(Long.parseLong(args[2])).memoryFile(file).sweepExpiredInBackground(false).open();
                SplittableRandom random = new SplittableRandom(Long.parseLong(args[3]));
                System.out.println("READY");
                System.out.flush();
                for (int round = 0;; round++) {
                    String key = "evict" + random.nextInt(100_000);
                    set(store, key, value(key, round));
                    if (random.nextInt(3) == 0) {
                        get(store, "evict" + random.nextInt(100_000)); // read items survive eviction: moved or compacted
                    }
                }
            }
            case "attach" -> {
                try (Store store = Store.attach(file)) {
                    int n = Integer.parseInt(args[2]);
                    for (int i = 0; i < n; i++) {
                        set(store, "child" + i, value("child" + i, 0));
                    }
                    System.out.println("READY");
                    System.out.flush();
                    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                    for (String line; (line = in.readLine()) != null && !line.equals("quit"); ) {
                        System.out.println(get(store, line));
                        System.out.flush();
                    }
                }
            }
            case "hold" -> {
                Store store = Store.attach(file);
                String key = args[2];
                set(store, key, value(key, 0));
                store.holdLocksForCrashTest(bytes(key), 0, key.getBytes(StandardCharsets.UTF_8).length);
                System.out.println("READY");
                System.out.flush();
                Thread.sleep(TimeUnit.MINUTES.toMillis(5));
            }
            case "churn" -> {
                Store store = Store.attach(file);
                SplittableRandom random = new SplittableRandom(Long.parseLong(args[2]));
                System.out.println("READY");
                System.out.flush();
                for (int round = 0;; round++) {
                    String key = "churn" + random.nextInt(random.nextBoolean() ? 200 : 40_000); // the wide keys evict
                    switch (random.nextInt(4)) {
                        case 0, 1 -> set(store, key, value(key, round));
                        case 2 -> get(store, key);
                        default -> store.delete(bytes(key), 0, (int) bytes(key).byteSize(), 0);
                    }
                }
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }
}
