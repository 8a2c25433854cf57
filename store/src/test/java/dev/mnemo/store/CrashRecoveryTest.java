package dev.mnemo.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Processes killed with SIGKILL ({@link Process#destroyForcibly()}) while using a region. */
class CrashRecoveryTest {

    private static final long MEMORY = 8L * Fixture.MIB;

    @TempDir
    Path dir;

    private StoreBuilder config(Path file) {
        return Store.builder().memoryLimit(MEMORY).memoryFile(file);
    }

    @Test
    void warmRestartAfterTheOwnerIsKilledMidWrite() throws Exception {
        Path file = dir.resolve("region");
        SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 3; round++) {
            int kill = round;
            Process owner = ChildProcess.start("own", file.toString(), Long.toString(MEMORY), "3000");
            try {
                assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                    ChildProcess.awaitReady(owner);
                    Thread.sleep(random.nextInt(300)); // killed at a random moment of its rewrite rounds
                    ChildProcess.kill(owner);
                });
            } finally {
                owner.destroyForcibly();
            }
            try (Store store = config(file).sweepExpiredInBackground(false).open()) {
                store.checkConsistency();
                for (int i = 0; i < 3000; i++) {
                    String key = "own" + i;
                    String value = ChildProcess.get(store, key);
                    assertTrue(value != null, "every key was stored before READY and none is evicted: " + key);
                    assertTrue(ChildProcess.complete(key, value), "a complete value for " + key + ": " + value);
                }
                assertEquals(kill == 0 ? 3000 : 3001, store.stats().currItems(), "3000 keys, and \"after\" from the previous round");
                ChildProcess.set(store, "after", "restart");
                store.checkConsistency();
            }
        }
    }

    @Test
    void warmRestartAfterTheOwnerIsKilledWhileTheIndexGrows() throws Exception {
        Path file = dir.resolve("region");
        long memory = 64L * Fixture.MIB; // room for the index to grow from 8,192 buckets to 79,891
        SplittableRandom random = new SplittableRandom(13);
        for (int round = 0; round < 3; round++) {
            Process owner = ChildProcess.start("own-grow", file.toString(), Long.toString(memory), "2000");
            try {
                assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                    ChildProcess.awaitReady(owner);
                    Thread.sleep(200 + random.nextInt(1000)); // killed at a random moment of its inserts, most of which split
                    ChildProcess.kill(owner);
                });
            } finally {
                owner.destroyForcibly();
            }
            try (Store store = Store.builder().memoryLimit(memory).memoryFile(file).sweepExpiredInBackground(false).open()) {
                store.checkConsistency();
                assertTrue(store.stats().hashBytes() > 8192 * 64, "the index grew: " + store.stats().hashBytes());
                for (int i = 0; i < 2000; i++) {
                    String key = "own" + i;
                    String value = ChildProcess.get(store, key);
                    assertTrue(value != null, "every key stored before READY survives the splits: " + key);
                    assertTrue(ChildProcess.complete(key, value), "a complete value for " + key + ": " + value);
                }
                int grown = 0;
                for (int i = 0; ChildProcess.get(store, "grow" + i) != null; i++) {
                    grown++;
                }
                assertEquals(2000 + grown, store.stats().currItems(), "the keys stored in order, but for the last, all found");
            }
        }
    }

    @Test
    void warmRestartAfterTheOwnerIsKilledWhileEvicting() throws Exception {
        Path file = dir.resolve("region");
        SplittableRandom random = new SplittableRandom(9);
        for (int round = 0; round < 4; round++) {
            Process owner = ChildProcess.start("own-evict", file.toString(), Long.toString(MEMORY), Integer.toString(round));
            try {
                assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                    ChildProcess.awaitReady(owner);
                    Thread.sleep(1000 + random.nextInt(1000)); // long enough to fill the store and evict
                    ChildProcess.kill(owner);
                });
            } finally {
                owner.destroyForcibly();
            }
            try (Store store = config(file).sweepExpiredInBackground(false).open()) {
                store.checkConsistency();
                int found = 0;
                for (int i = 0; i < 100_000; i++) {
                    String key = "evict" + i;
                    String value = ChildProcess.get(store, key);
                    if (value != null) {
                        assertTrue(ChildProcess.complete(key, value), "a complete value for " + key + ": " + value);
                        found++;
                    }
                }
                assertEquals(store.stats().currItems(), found);
                assertTrue(found > 1000, "items survive the crash: " + found);
                store.checkConsistency();
            }
        }
    }

    @Test
    void aLockHeldByAKilledProcessIsBrokenAndItsSegmentsReclaimed() throws Exception {
        Path file = dir.resolve("region");
        try (Store owner = config(file).sweepExpiredInBackground(false).open()) {
            Process child = ChildProcess.start("hold", file.toString(), "held");
            try {
                assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                    ChildProcess.awaitReady(child);
                    ChildProcess.kill(child);
                    assertEquals(ChildProcess.value("held", 0), ChildProcess.get(owner, "held"),
                            "the reader waits out the dead holder's odd version, then breaks its lock");
                    assertEquals(WriteResult.STORED, ChildProcess.set(owner, "held", "new"));
                    for (int i = 0; i < 60_000; i++) { // needs new segments: the segment lock must be broken
                        assertEquals(WriteResult.STORED, ChildProcess.set(owner, "k" + i, "v".repeat(150)));
                    }
                    assertTrue(owner.stats().evictions() > 0);
                    owner.sweepExpired(1);
                });
            } finally {
                child.destroyForcibly();
            }
            owner.checkConsistency();
        }
    }

    @Test
    void attachedProcessesKilledAtRandomLeaveTheRegionConsistent() throws Exception {
        Path file = dir.resolve("region");
        SplittableRandom random = new SplittableRandom(11);
        try (Store owner = config(file).sweepExpiredInBackground(false).open()) {
            for (int i = 0; i < 30_000; i++) { // full: the children's writes evict
                ChildProcess.set(owner, "fill" + i, "v".repeat(300));
            }
            assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
                for (int round = 0; round < 8; round++) {
                    List<Process> children = new ArrayList<>();
                    try {
                        for (int c = 0; c < 3; c++) {
                            children.add(ChildProcess.start("churn", file.toString(), Long.toString(round * 10L + c)));
                        }
                        for (Process child : children) {
                            ChildProcess.awaitReady(child);
                        }
                        for (int i = 0; i < 2000; i++) { // the owner works alongside, then they are killed mid-work
                            String key = "churn" + random.nextInt(200);
                            String value = ChildProcess.get(owner, key);
                            assertTrue(value == null || ChildProcess.complete(key, value), key + " read " + value);
                            ChildProcess.set(owner, key, ChildProcess.value(key, 1_000_000 + i));
                        }
                        Thread.sleep(random.nextInt(200));
                        for (Process child : children) {
                            ChildProcess.kill(child);
                        }
                    } finally {
                        children.forEach(Process::destroyForcibly);
                    }
                    for (int i = 0; i < 200; i++) { // any lock a child died holding is broken on the way
                        String key = "churn" + i;
                        ChildProcess.set(owner, key, ChildProcess.value(key, 2_000_000));
                        assertEquals(ChildProcess.value(key, 2_000_000), ChildProcess.get(owner, key));
                    }
                    owner.sweepExpired(1); // reclaims the children's open segments
                    owner.checkConsistency();
                    assertTrue(owner.stats().evictions() > 0, "the children evict");
                }
            });
        }
    }
}
