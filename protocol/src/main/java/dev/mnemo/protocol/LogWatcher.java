package dev.mnemo.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One connection that "watch" made a log stream: a bounded queue of at most
 * {@value #CAPACITY} events that requests on any event loop add to without blocking (an event
 * that finds it full is skipped and counted), drained and formatted on the watcher's own event
 * loop. After skips, the next line written is preceded by {@code skipped=<n>\n}, as memcached's
 * logger reports a watcher's skipped entries. Offering is thread-safe; draining is for the
 * watcher's event loop only.
 */
public final class LogWatcher {

    /** Events queued at most per watcher. */
    public static final int CAPACITY = 8192;

    private final WatchLog log;
    final int streams;
    private final Runnable wakeup;
    private final ConcurrentLinkedQueue<LogEvent> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicInteger skippedSinceLine = new AtomicInteger();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    LogWatcher(WatchLog log, int streams, Runnable wakeup) {
        this.log = log;
        this.streams = streams;
        this.wakeup = wakeup;
    }

    /** @return whether the queue has room for an event now */
    boolean hasRoom() {
        return size.get() < CAPACITY;
    }

    /** Counts an event skipped because the queue was full. */
    void skip() {
        skippedSinceLine.incrementAndGet();
        log.skipped.incrementAndGet();
    }

    /** Queues the event, or skips it if the queue is full; wakes the watcher up if it was idle. */
    void offer(LogEvent event) {
        if (size.incrementAndGet() > CAPACITY) {
            size.decrementAndGet();
            skip();
            return;
        }
        queue.offer(event);
        if (scheduled.compareAndSet(false, true)) {
            wakeup.run();
        }
    }

    /**
     * Formats queued events into {@code out} until the queue is empty or {@code out} holds
     * {@code maxBytes}; the wakeup runs again for events offered from now on.
     *
     * @return whether events remain queued (drain again once the connection can take more)
     */
    public boolean drainTo(ByteBuf out, int maxBytes) {
        scheduled.set(false);
        LogEvent event;
        while (out.readableBytes() < maxBytes && (event = queue.poll()) != null) {
            size.decrementAndGet();
            int skipped = skippedSinceLine.getAndSet(0);
            if (skipped > 0) {
                ByteBufUtil.writeAscii(out, "skipped=" + skipped + "\n");
            }
            event.write(out);
            log.sent.incrementAndGet();
        }
        return !queue.isEmpty();
    }
}
