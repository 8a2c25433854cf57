package dev.mnemo.server;

import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerFactory;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.netty.util.concurrent.ThreadAwareExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;

/**
 * The map in which a Netty epoll or io_uring event loop finds each registered channel (its
 * {@code registrations}: keyed by file descriptor on epoll, by a registration number counted up
 * from 1 on io_uring), with the keys spread over the table.
 *
 * <p>Why: Netty's {@link IntObjectHashMap} (4.2.18) places a key at {@code key & mask} and
 * probes linearly, and a removal shifts back the entries after it up to the next empty slot. A
 * storm's connections get consecutive keys (consecutive descriptors at {@code -t 1}; consecutive
 * registration numbers on every io_uring loop), so they fill one run of slots, and when they close
 * in the order they opened each removal scans the rest of that run: closing n connections
 * together costs n²/2 probes, 10,000 about 230 ms and 50,000 about 6 s of the event loop
 * (storms of 10,000 at {@code -t 1} on io_uring: a quarter of the compiled loop's CPU;
 * docs/PERFORMANCE.md, "Where a storm's CPU goes"). Spread by a
 * bijective mix (MurmurHash3's 32-bit finalizer), consecutive keys land on scattered slots and a
 * removal scans a few.
 *
 * <p>Only {@link #get(int)}, {@link #put(int, Object)}, {@link #remove(int)} and
 * {@link #containsKey(int)} spread the key (with the {@code Map<Integer, V>} methods that call
 * them); {@link #entries()} and {@link #keySet()} show the spread keys. Netty's handlers use
 * get, put, remove, values, size and isEmpty. Not thread-safe, as the map it replaces: only its
 * event loop uses it.
 */
final class SpreadRegistrations<V> extends IntObjectHashMap<V> {

    private static final Logger LOG = LoggerFactory.getLogger(SpreadRegistrations.class);

    /** The field of Netty's EpollIoHandler and IoUringIoHandler that holds their registrations. */
    private static final String FIELD = "registrations";

    @Override
    public V get(int key) {
        return super.get(spread(key));
    }

    @Override
    public V put(int key, V value) {
        return super.put(spread(key), value);
    }

    @Override
    public V remove(int key) {
        return super.remove(spread(key));
    }

    @Override
    public boolean containsKey(int key) {
        return super.containsKey(spread(key));
    }

    /** @return the key mixed by MurmurHash3's finalizer: a bijection on int, so distinct keys stay distinct */
    static int spread(int key) {
        int h = key;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    /**
     * @param factory an event loop's I/O handler factory
     * @return a factory whose handlers, where they hold their registrations in an
     *         {@link IntObjectMap} field named {@value #FIELD} (epoll, io_uring), hold them in a
     *         {@link SpreadRegistrations} instead; other handlers (NIO) are left as made
     */
    static IoHandlerFactory installedBy(IoHandlerFactory factory) {
        return new IoHandlerFactory() {
            @Override
            public IoHandler newHandler(ThreadAwareExecutor ioExecutor) {
                IoHandler handler = factory.newHandler(ioExecutor);
                install(handler);
                return handler;
            }

            @Override
            public boolean isChangingThreadSupported() {
                return factory.isChangingThreadSupported();
            }
        };
    }

    /**
     * Replaces the handler's registration map by a {@link SpreadRegistrations} holding the same
     * entries. Call before the handler's loop runs (the factory does: the loop's thread starts
     * after). A handler without such a field is left as it is; one whose field cannot be
     * replaced (a Netty that changed it) is logged at warning level and left as it is.
     *
     * @return whether the map was replaced
     */
    static boolean install(IoHandler handler) {
        Field field;
        try {
            field = handler.getClass().getDeclaredField(FIELD);
        } catch (NoSuchFieldException e) {
            return false; // NIO's selector keeps its channels itself
        }
        try {
            field.setAccessible(true);
            @SuppressWarnings("unchecked")
            IntObjectMap<Object> netty = (IntObjectMap<Object>) field.get(handler);
            SpreadRegistrations<Object> spread = new SpreadRegistrations<>();
            for (IntObjectMap.PrimitiveEntry<Object> entry : netty.entries()) {
                spread.put(entry.key(), entry.value());
            }
            field.set(handler, spread);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("kept Netty's registration map of {} ({}): closing many connections together costs the square of their number",
                    handler.getClass().getSimpleName(), e.toString());
            return false;
        }
    }
}
