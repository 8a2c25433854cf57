package dev.mnemo.server;

import dev.mnemo.store.Store;
import dev.mnemo.store.StoreChecks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Warm restart of the mnemo process with a memory file (-e): items come back with their flags,
 * CAS unique and TTL after a clean stop (SIGTERM) and after SIGKILL in the middle of a load; a
 * file of another geometry is refused unless --discard-memory-file.
 */
class WarmRestartProcessTest {

    private static final Pattern LISTENING = Pattern.compile(".*listening on 127\\.0\\.0\\.1:(\\d+) .*");

    @Test
    @Timeout(120)
    void itemsComeBackAfterACleanStop(@TempDir Path temp) throws Exception {
        Path directory = ColocatedCrashTest.memoryDirectory(temp);
        Path file = directory.resolve("clean.mem");
        try {
            String casA;
            Server first = start(file, temp.resolve("first.log"));
            long setAfter;
            long setBefore = System.currentTimeMillis() / 1000 - 1; // the server's time may run a tick behind
            try (RawClient client = first.client()) {
                client.exchange("set a 7 0 5\r\nhello\r\nset b 9 3600 3\r\nbye\r\nset c 0 0 1\r\nx\r\ndelete c\r\n"
                                + "set d 0 -1 1\r\ny\r\n",
                        "STORED\r\nSTORED\r\nSTORED\r\nDELETED\r\nSTORED\r\n");
                setAfter = System.currentTimeMillis() / 1000;
                client.send("gets a\r\n");
                casA = client.readLine();
                client.expect("hello\r\nEND\r\n");
            }
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            first.stop();

            Server second = start(file, temp.resolve("second.log"));
            try (RawClient client = second.client()) {
                client.send("gets a\r\n");
                assertEquals(casA, client.readLine(), "flags, length and CAS unique survive");
                client.expect("hello\r\nEND\r\n");
                client.exchange("get b c d\r\n", "VALUE b 9 3\r\nbye\r\nEND\r\n");
            }
            try (Store attached = Store.attach(file); Arena arena = Arena.ofConfined()) {
                MemorySegment key = arena.allocateFrom("b", StandardCharsets.US_ASCII);
                AtomicLong expiresAt = new AtomicLong();
                assertTrue(attached.get(key, 0, 1, item -> expiresAt.set(item.expiresAt())));
                assertTrue(expiresAt.get() >= setBefore + 3600 && expiresAt.get() <= setAfter + 3600,
                        "TTL survives: expires at " + expiresAt + ", set between " + setBefore + " and " + setAfter);
                StoreChecks.checkConsistency(attached);
            }
            second.stop();
        } finally {
            ColocatedCrashTest.deleteTree(directory);
        }
    }

    @Test
    @Timeout(120)
    void everyAcknowledgedSetSurvivesSigkillMidLoad(@TempDir Path temp) throws Exception {
        Path directory = ColocatedCrashTest.memoryDirectory(temp);
        Path file = directory.resolve("killed.mem");
        try {
            Server first = start(file, temp.resolve("first.log"));
            Map<Integer, byte[]> acknowledged = new ConcurrentHashMap<>();
            int target = 500 + new Random().nextInt(2500);
            CountDownLatch reached = new CountDownLatch(1);
            Thread load = Thread.ofPlatform().start(() -> {
                Random random = new Random(7);
                try (RawClient client = first.client()) {
                    for (int i = 0; ; i++) {
                        byte[] record = CheckedValues.record(random);
                        client.send("set w-" + i + " 3 0 " + record.length + "\r\n");
                        client.send(new String(record, StandardCharsets.US_ASCII) + "\r\n");
                        if (!client.readLine().equals("STORED\r\n")) {
                            return;
                        }
                        acknowledged.put(i, record);
                        if (i == target) {
                            reached.countDown();
                        }
                    }
                } catch (Throwable expectedAfterTheKill) {
                    reached.countDown();
                }
            });
            assertTrue(reached.await(60, TimeUnit.SECONDS));
            first.process.destroyForcibly(); // SIGKILL while the load goes on
            first.process.waitFor();
            load.join();
            assertTrue(acknowledged.size() > target, "the load ran: " + acknowledged.size());

            Server second = start(file, temp.resolve("second.log"));
            try (RawClient client = second.client()) {
                for (Map.Entry<Integer, byte[]> entry : acknowledged.entrySet()) {
                    String key = "w-" + entry.getKey();
                    byte[] record = entry.getValue();
                    client.exchange("get " + key + "\r\n", "VALUE " + key + " 3 " + record.length + "\r\n"
                            + new String(record, StandardCharsets.US_ASCII) + "\r\nEND\r\n");
                }
            }
            try (Store attached = Store.attach(file)) {
                StoreChecks.checkConsistency(attached);
            }
            second.stop();
        } finally {
            ColocatedCrashTest.deleteTree(directory);
        }
    }

    @Test
    @Timeout(60)
    void aFileOfAnotherGeometryIsRefusedUnlessDiscarded(@TempDir Path temp) throws Exception {
        Path directory = ColocatedCrashTest.memoryDirectory(temp);
        Path file = directory.resolve("geometry.mem");
        try {
            Server first = start(file, temp.resolve("first.log"));
            try (RawClient client = first.client()) {
                client.exchange("set a 0 0 1\r\nx\r\n", "STORED\r\n");
            }
            first.stop();
            Process refused = process(file, temp.resolve("refused.log"), "-m", "32");
            assertTrue(refused.waitFor(30, TimeUnit.SECONDS));
            assertEquals(Main.EXIT_STORE, refused.exitValue());
            String log = Files.readString(temp.resolve("refused.log"));
            assertTrue(log.contains("cannot open the store") && log.contains(file.toString()), log);

            Server discarded = start(file, temp.resolve("discarded.log"), "-m", "32", "--discard-memory-file");
            try (RawClient client = discarded.client()) {
                client.exchange("get a\r\n", "END\r\n");
            }
            discarded.stop();
        } finally {
            ColocatedCrashTest.deleteTree(directory);
        }
    }

    /** Every server process a test started: killed after it, whatever happened. */
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        started.forEach(Process::destroyForcibly);
    }

    private Process process(Path file, Path log, String... more) throws IOException {
        String javaCommand = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(javaCommand, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "-p", "0", "-m", "16", "-t", "2",
                "-e", file.toString()));
        command.addAll(List.of(more));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(process);
        return process;
    }

    private Server start(Path file, Path log, String... more) throws IOException {
        Process process = process(file, log, more);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            for (String line : Files.readAllLines(log)) {
                Matcher matcher = LISTENING.matcher(line);
                if (matcher.matches()) {
                    return new Server(process, Integer.parseInt(matcher.group(1)));
                }
            }
            if (System.nanoTime() > deadline || !process.isAlive()) {
                fail("the server did not start: " + Files.readString(log));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** A mnemo process with a memory file. */
    private record Server(Process process, int port) {

        RawClient client() {
            return new RawClient(new InetSocketAddress("127.0.0.1", port));
        }

        void stop() throws InterruptedException {
            process.destroy(); // SIGTERM: a clean stop
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the server did not stop on SIGTERM");
        }
    }
}
