package dev.mnemo.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    private StoreConfig config(Path file) {
        return StoreConfig.defaults().withMemoryLimit(8L * StoreConfig.MIB).withMemoryFile(file);
    }

    @Test
    void secondHandleInTheSameJvmSharesItemsAndStats() {
        Path file = dir.resolve("region");
        try (Fixture owner = new Fixture(config(file))) {
            owner.set("a", "from owner", 3, 0);
            try (Store attached = Store.attach(file, owner.clock)) {
                assertEquals(8L * StoreConfig.MIB, attached.config().memoryLimit());
                assertEquals("from owner", ChildProcess.get(attached, "a"));
                assertEquals(Status.STORED, ChildProcess.set(attached, "b", "from attached"));
                assertEquals("from attached", owner.get("b"));
                Fixture.Captured a = owner.item("a");
                MemorySegmentKey k = new MemorySegmentKey("a");
                assertEquals(Status.EXISTS, attached.store(StorageCommand.CAS, k.segment, 0, k.length, k.segment, 0, 1,
                        0, 0, a.cas + 1, null));
                assertEquals(Status.STORED, attached.store(StorageCommand.CAS, k.segment, 0, k.length, k.segment, 0, 1,
                        0, 0, a.cas, null));
                assertTrue(owner.item("a").cas > a.cas, "one CAS counter for both");
                assertEquals(Status.DELETED, attached.delete(k.segment, 0, k.length));
                assertNull(owner.get("a"));
                assertEquals(owner.store.stats().currItems(), attached.stats().currItems());
                assertEquals(owner.store.stats().deleteHits(), 1, "the owner's stats count the attached process's delete");
                attached.flushAll(0);
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
        try (Store owner = Store.open(config(file))) {
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
