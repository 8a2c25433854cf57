package dev.mnemo.server;

import dev.mnemo.store.Store;
import dev.mnemo.store.StoreChecks;
import net.spy.memcached.MemcachedClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 7's crash test: child JVMs attached to a running server's memory file run random
 * operations ({@link ColocatedWorker}) and are killed with SIGKILL at random moments, at least
 * {@value #KILLS} times, while a co-located checker and a network client (spymemcached) keep
 * working and verify every value they read. At the end, once the server has stopped and a new
 * process has attached (reclaiming what the killed ones held), the whole region must pass
 * {@link StoreChecks#checkConsistency(Store)}.
 */
class ColocatedCrashTest {

    private static final int KILLS = 200;
    private static final int CHILDREN = 3;
    /** A kill lands 0 to this many milliseconds after the child reports it is attached. */
    private static final int MAX_KILL_DELAY_MILLIS = 40;
    private static final long RUN_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(150);

    /** tmpfs when the machine has it: the case the memory file is meant for. */
    static Path memoryDirectory(Path fallback) throws IOException {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "mnemo-test-") : fallback;
    }

    @Test
    @Timeout(240)
    void attachedProcessesKilledAtRandomNeverCorruptTheStoreOrStallOthers(@TempDir Path temp) throws Exception {
        Path directory = memoryDirectory(temp);
        Path file = directory.resolve("crash.mem");
        ServerOptions options = new ServerOptions();
        ServerOptions.commandLine(options).parseArgs("-p", "0", "-m", "16", "-t", "2", "-e", file.toString());
        Store store = options.storeBuilder().sweepExpiredInBackground(false).open();
        MnemoServer server = MnemoServer.start(options.settings(), store, 0);
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong checkerOps = new AtomicLong();
        AtomicLong networkOps = new AtomicLong();
        AtomicInteger kills = new AtomicInteger();
        try {
            Thread checker = Thread.ofPlatform().name("colocated-checker").start(() -> {
                try (Store attached = Store.attach(file); Arena arena = Arena.ofConfined()) {
                    ColocatedWorker worker = new ColocatedWorker(attached, new Random(1), arena);
                    while (running.get()) {
                        String problem = worker.step();
                        if (problem != null) {
                            problems.add("co-located checker: " + problem);
                        }
                        checkerOps.incrementAndGet();
                    }
                } catch (RuntimeException e) {
                    problems.add("co-located checker failed: " + e);
                }
            });
            Thread network = Thread.ofPlatform().name("network-checker").start(() -> {
                MemcachedClient client = null;
                try {
                    client = new MemcachedClient(new InetSocketAddress("127.0.0.1", server.port()));
                    Random random = new Random(2);
                    while (running.get()) {
                        String key = "key-" + random.nextInt(ColocatedWorker.KEYS);
                        if (random.nextInt(4) == 0) {
                            byte[] record = CheckedValues.record(random);
                            if (!client.set(key, 0, new String(record, StandardCharsets.US_ASCII)).get(10, TimeUnit.SECONDS)) {
                                problems.add("network set of " + key + " failed");
                            }
                        } else if (client.asyncGet(key).get(10, TimeUnit.SECONDS) instanceof String value) {
                            String problem = CheckedValues.check(value.getBytes(StandardCharsets.US_ASCII));
                            if (problem != null) {
                                problems.add("network get of " + key + ": " + problem);
                            }
                        }
                        networkOps.incrementAndGet();
                    }
                } catch (Exception e) {
                    problems.add("network client failed: " + e);
                } finally {
                    if (client != null) {
                        client.shutdown(5, TimeUnit.SECONDS);
                    }
                }
            });

            long deadline = System.nanoTime() + RUN_LIMIT_NANOS;
            Thread[] killers = new Thread[CHILDREN];
            for (int i = 0; i < CHILDREN; i++) {
                long seed = 100L * (i + 1);
                killers[i] = Thread.ofPlatform().name("killer-" + i).start(() -> {
                    long next = seed;
                    while (kills.get() < KILLS && System.nanoTime() < deadline && problems.isEmpty()) {
                        try {
                            spawnAndKill(file, next++, problems);
                            kills.incrementAndGet();
                        } catch (IOException | InterruptedException e) {
                            problems.add("child JVM: " + e);
                            return;
                        }
                    }
                });
            }
            for (Thread killer : killers) {
                killer.join();
            }
            running.set(false);
            checker.join();
            network.join();

            System.out.printf("crash test: %d SIGKILLs of attached processes; co-located checker %d ops, network client %d ops%n",
                    kills.get(), checkerOps.get(), networkOps.get());
            assertEquals(List.of(), List.copyOf(problems));
            assertTrue(kills.get() >= KILLS, "only " + kills.get() + " kills within the time limit");
            assertTrue(checkerOps.get() > 0 && networkOps.get() > 0,
                    "checker ops " + checkerOps.get() + ", network ops " + networkOps.get());
            // The last kills may have left a dead child holding locks. Stop the server, then attach
            // as any new process would (which reclaims dead processes' locks and open segments) and
            // walk the whole region with nothing else running.
            server.close();
            try (Store check = Store.attach(file)) {
                StoreChecks.checkConsistency(check);
            }
        } finally {
            running.set(false);
            server.close();
            deleteTree(directory);
        }
    }

    /** Starts a child worker, waits until it is attached, lets it run a random moment, then SIGKILLs it. */
    private static void spawnAndKill(Path file, long seed, ConcurrentLinkedQueue<String> problems)
            throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                ColocatedWorker.class.getName(), file.toString(), Long.toString(seed))
                .redirectErrorStream(true)
                .start();
        try (BufferedReader output = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String first = output.readLine(); // blocks until the child has attached (or died)
            if (!"ready".equals(first)) {
                problems.add("child " + seed + " did not attach: " + first + " / " + output.lines().toList());
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ThreadLocalRandom.current().nextInt(MAX_KILL_DELAY_MILLIS + 1)));
            if (!child.isAlive()) { // it stops by itself only when it read a bad value
                problems.add("child " + seed + " exited with " + child.exitValue() + ": " + output.lines().toList());
                return;
            }
            child.destroyForcibly(); // SIGKILL: the child may die at any instruction (this also closes its pipes)
            child.waitFor();
        } finally {
            child.destroyForcibly();
        }
    }

    static void deleteTree(Path directory) throws IOException {
        try (var paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
