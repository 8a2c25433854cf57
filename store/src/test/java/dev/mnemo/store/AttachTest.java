package dev.mnemo.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Store.attach: a co-located process sharing the owner's region. */
class AttachTest {

    @TempDir
    Path dir;

    private StoreBuilder config(Path file) {
        return Store.builder().memoryLimit(8L * Fixture.MIB).memoryFile(file);
    }

    @Test
    void secondHandleInTheSameJvmSharesItemsAndStats() {
        Path file = dir.resolve("region");
        try (Fixture owner = new Fixture(config(file))) {
            owner.set("a", "from owner", 3, 0);
            try (Store attached = Store.attach(file, owner.clock)) {
                assertEquals(8L * Fixture.MIB, attached.memoryLimit());
                assertEquals("from owner", ChildProcess.get(attached, "a"));
                assertEquals(WriteResult.STORED, ChildProcess.set(attached, "b", "from attached"));
                assertEquals("from attached", owner.get("b"));
                Fixture.Captured a = owner.item("a");
                MemorySegmentKey k = new MemorySegmentKey("a");
                assertEquals(WriteResult.EXISTS, attached.compareAndSet(new ItemWrite().key(k.segment, 0, k.length)
                        .value(k.segment, 0, 1).casUnique(a.cas + 1)));
                assertEquals(WriteResult.STORED, attached.compareAndSet(new ItemWrite().key(k.segment, 0, k.length)
                        .value(k.segment, 0, 1).casUnique(a.cas)));
                assertTrue(owner.item("a").cas > a.cas, "one CAS counter for both");
                assertEquals(DeleteResult.DELETED, attached.delete(k.segment, 0, k.length, 0));
                assertNull(owner.get("a"));
                assertEquals(owner.store.stats().currItems(), attached.stats().currItems());
                assertEquals(owner.store.stats().deleteHits(), 1, "the owner's stats count the attached process's delete");
                attached.flushAll();
                assertNull(owner.get("b"), "flush_all from an attached process flushes for everyone");
                owner.set("c", "after flush");
                assertEquals("after flush", ChildProcess.get(attached, "c"));
                for (int i = 0; i < 40_000; i++) { // both evict from the same queues
                    ChildProcess.set(i % 2 == 0 ? attached : owner.store, "fill" + i, "v".repeat(150));
                }
                assertTrue(owner.store.stats().evictions() > 0);
            }
            assertEquals("v".repeat(150), owner.get("fill39999"), "closing an attached store destroys nothing");
            owner.store.checkConsistency();
        }
    }

    @Test
    void ownerAndAttachedThreadsIncrementTheSameCountersWithoutLosingAny() throws Exception {
        Path file = dir.resolve("region");
        try (Store owner = config(file).sweepExpiredInBackground(false).open(); Store attached = Store.attach(file)) {
            for (int c = 0; c < 8; c++) {
                ChildProcess.set(owner, "counter" + c, "0");
            }
            int perThread = 20_000;
            java.util.List<Thread> threads = new java.util.ArrayList<>();
            java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
            for (int t = 0; t < 4; t++) {
                Store store = t % 2 == 0 ? owner : attached;
                int seed = t;
                threads.add(new Thread(() -> {
                    try {
                        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
                        for (int i = 0; i < perThread; i++) {
                            MemorySegmentKey k = new MemorySegmentKey("counter" + random.nextInt(8));
                            assertEquals(ArithmeticResult.UPDATED, store.increment(new ItemWrite().key(k.segment, 0, k.length), 1));
                            ChildProcess.set(store, "noise" + random.nextInt(50_000), "n".repeat(100)); // evicts
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(120));
                assertTrue(!t.isAlive());
            }
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            long total = 0;
            for (int c = 0; c < 8; c++) {
                total += Long.parseLong(ChildProcess.get(attached, "counter" + c).trim());
            }
            assertEquals(4L * perThread, total, "no increment lost between the two handles");
            assertEquals(4L * perThread, owner.stats().incrHits());
            owner.checkConsistency();
        }
    }

    @Test
    void anAttachedStoreHasTheSimpleApiAndSeesTheOwnersWrites() {
        Path file = dir.resolve("region");
        try (Fixture owner = new Fixture(config(file)); Store attached = Store.attach(file, owner.clock)) {
            Store store = owner.store;
            store.set(b("k"), b("from owner"), java.time.Duration.ofSeconds(30));
            assertEquals("from owner", s(attached.get(b("k"))));
            Item item = attached.getItem(b("k"));
            assertEquals(store.getItem(b("k")).casUnique(), item.casUnique());
            assertEquals(java.util.Optional.of(java.time.Instant.ofEpochSecond(Fixture.START + 30)), item.expiresAt());
            assertEquals(CasResult.STORED, attached.compareAndSet(b("k"), item.casUnique(), b("from attached")));
            assertEquals("from attached", s(store.get(b("k"))));
            assertEquals(CasResult.EXISTS, store.compareAndSet(b("k"), item.casUnique(), b("stale")));
            assertTrue(attached.add(b("n"), b("1")));
            assertFalse(store.add(b("n"), b("2")));
            assertEquals(java.util.OptionalLong.of(2), store.increment(b("n"), 1));
            assertEquals(java.util.OptionalLong.of(1), attached.decrement(b("n"), 1));
            assertTrue(attached.replace(b("n"), b("9")));
            assertEquals("9", s(store.get(b("n"))));
            assertTrue(attached.touch(b("k"), java.time.Duration.ofSeconds(5)));
            assertEquals(Fixture.START + 5, owner.item("k").expiresAt);
            assertTrue(store.delete(b("n")));
            assertNull(attached.get(b("n")));
            assertFalse(attached.delete(b("n")));
            assertEquals(8L * Fixture.MIB, attached.memoryLimit());
            assertEquals(store.maxItemSize(), attached.maxItemSize());
            assertEquals(store.casEnabled(), attached.casEnabled());
            assertEquals(file, attached.memoryFile());
            assertThrows(ItemTooLargeException.class, () -> attached.set(b("k"), new byte[attached.maxItemSize() + 1]));
            assertNull(store.get(b("k")), "a too-large set from the attached store drops the owner's item too");
            owner.clock.advance(5);
            store.checkConsistency();
        }
    }

    @Test
    void attachingStartsNoSweeperThread() {
        Path file = dir.resolve("region");
        try (Store owner = config(file).sweepExpiredInBackground(false).open()) {
            java.util.Set<Thread> before = sweepers();
            try (Store attached = Store.attach(file)) {
                attached.set(b("k"), b("v"));
                assertEquals(before, sweepers(), "the owner sweeps, not the attached process");
            }
        }
    }

    private static java.util.Set<Thread> sweepers() {
        java.util.Set<Thread> found = new java.util.HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("mnemo-expiry-sweeper") && t.isAlive()) {
                found.add(t);
            }
        }
        return found;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** A key as a memory segment. */
    private record MemorySegmentKey(java.lang.foreign.MemorySegment segment, int length) {
        MemorySegmentKey(String key) {
            this(Fixture.bytes(key), key.length());
        }
    }

    @Test
    void attachRefusesMissingAndForeignFiles() throws IOException {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> Store.attach(dir.resolve("none")));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        Path other = dir.resolve("other");
        Files.write(other, new byte[8192]);
        IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class, () -> Store.attach(other));
        assertTrue(foreign.getMessage().contains("not a Mnemo region"), foreign.getMessage());
        Path tiny = dir.resolve("tiny");
        Files.write(tiny, new byte[10]);
        assertThrows(IllegalArgumentException.class, () -> Store.attach(tiny));
    }

    @Test
    void childJvmSeesTheOwnersWritesAndTheOwnerSeesTheChilds() throws Exception {
        Path file = dir.resolve("region");
        try (Store owner = config(file).sweepExpiredInBackground(false).open()) {
            ChildProcess.set(owner, "parent", "written by the parent");
            Process child = ChildProcess.start("attach", file.toString(), "500");
            try {
                assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                    BufferedReader out = ChildProcess.awaitReady(child);
                    for (int i = 0; i < 500; i++) {
                        assertEquals(ChildProcess.value("child" + i, 0), ChildProcess.get(owner, "child" + i));
                    }
                    PrintStream in = new PrintStream(child.getOutputStream(), true, StandardCharsets.UTF_8);
                    in.println("parent");
                    assertEquals("written by the parent", out.readLine());
                    in.println("quit");
                    assertTrue(child.waitFor(30, TimeUnit.SECONDS));
                    assertEquals(0, child.exitValue());
                });
            } finally {
                child.destroyForcibly();
            }
            assertEquals(500 + 1, owner.stats().currItems());
            owner.checkConsistency();
        }
    }
}
