package dev.mnemo.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The store's set, get and incr paths allocate nothing per request once warm (the write loop's
 * mutations are reused per thread): fewer bytes than one per ten operations over many.
 */
class WriteAllocationTest {

    private static final int WARM_UP = 50_000;
    private static final int MEASURED = 100_000;

    private final Fixture f = new Fixture();
    private final MemorySegment key = Fixture.bytes("some-key");
    private final MemorySegment counter = Fixture.bytes("counter");
    private final MemorySegment value = MemorySegment.ofArray(new byte[100]);
    private final ItemReader reader = item -> { };
    private final ItemWrite write = new ItemWrite();

    @AfterEach
    void close() {
        f.close();
    }

    private void run(int times) {
        for (int i = 0; i < times; i++) {
            assertEquals(WriteResult.STORED, f.store.set(write.reset().key(key, 0, 8).value(value, 0, 100)));
            assertTrue(f.store.get(key, 0, 8, reader));
            assertEquals(ArithmeticResult.UPDATED, f.store.increment(write.reset().key(counter, 0, 7).onStored(reader), 1));
        }
    }

    @Test
    void setGetAndIncrAllocateNothing() {
        MemorySegment zero = Fixture.bytes("0");
        assertEquals(WriteResult.STORED, f.store.set(write.reset().key(counter, 0, 7).value(zero, 0, 1)));
        run(WARM_UP);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        run(MEASURED);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < MEASURED / 10, allocated + " bytes allocated for " + MEASURED + " sets, gets and incrs");
    }
}
