package dev.mnemo.server;

import io.netty.channel.IoHandler;
import io.netty.util.concurrent.ThreadAwareExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.reflect.Field;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The native transports' event loops keep their registered channels in a {@link SpreadRegistrations}
 * (connections with consecutive keys closing together cost a few probes each, not the rest of a
 * run: issue 16); as a map it behaves as Netty's. How long a mass close takes is measured by
 * bench/accept-storm.sh, not here.
 */
class SpreadRegistrationsTest {

    @Test
    void consecutiveKeysStayDistinctAndScatter() {
        Set<Integer> spread = new HashSet<>();
        Set<Integer> slots = new HashSet<>();
        int keys = 100_000;
        for (int key = 0; key < keys; key++) {
            spread.add(SpreadRegistrations.spread(key));
            slots.add(SpreadRegistrations.spread(key) & (1 << 18) - 1); // a table of 2^18 slots
        }
        assertEquals(keys, spread.size(), "a bijection: no two keys share a spread key");
        assertTrue(slots.size() < keys, "scattered: some keys share a slot, as random keys would");
        assertFalse(SpreadRegistrations.spread(1) == 1 && SpreadRegistrations.spread(2) == 2);
    }

    @Test
    void behavesAsAMapOfItsKeys() {
        SpreadRegistrations<String> map = new SpreadRegistrations<>();
        int[] keys = {0, 1, 2, 3, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 1_000_000};
        for (int key : keys) {
            assertNull(map.put(key, "v" + key));
        }
        assertEquals(keys.length, map.size());
        for (int key : keys) {
            assertTrue(map.containsKey(key));
            assertEquals("v" + key, map.get(key));
            assertEquals("v" + key, map.get(Integer.valueOf(key)));
        }
        assertEquals("v2", map.put(2, "again"));
        assertEquals("again", map.remove(2));
        assertNull(map.get(2));
        assertFalse(map.containsKey(2));
        for (int key = 10; key < 20_000; key++) { // consecutive keys removed in the order they came
            map.put(key, "c");
        }
        for (int key = 10; key < 20_000; key++) {
            assertEquals("c", map.remove(key));
        }
        assertEquals(keys.length - 1, map.size());
        assertTrue(map.values().contains("v" + Integer.MAX_VALUE));
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING"})
    void theNativeTransportsHandlersHoldTheirRegistrationsSpread(Transport transport) throws Exception {
        assumeTrue(transport.isAvailable(), transport.cliName() + " is not available here");
        ThreadAwareExecutor executor = new ThreadAwareExecutor() {
            @Override
            public boolean isExecutorThread(Thread thread) {
                return thread == Thread.currentThread();
            }

            @Override
            public void execute(Runnable command) {
                command.run();
            }
        };
        IoHandler handler = transport.ioHandlerFactory().newHandler(executor);
        handler.initialize(); // as its loop does first (io_uring enables its ring here)
        try {
            Field registrations = handler.getClass().getDeclaredField("registrations");
            registrations.setAccessible(true);
            assertInstanceOf(SpreadRegistrations.class, registrations.get(handler));
        } finally {
            handler.destroy();
        }
    }
}
