package dev.mnemo.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One connection that "watch" made a log stream: a queue bounded to {@value #BUFFER_BYTES} bytes
 * of heap (memcached's watcher_logbuf_size) that requests on any event loop add events to
 * without blocking or locking, drained and formatted on the watcher's own event loop. Each
 * queued event counts {@link LogEvent#heapBytes its conservative heap estimate}; an event that
 * does not fit is skipped and counted, as memcached's logger skips the entries that do not fit
 * a watcher's buffer, and the next line written is preceded by {@code skipped=<n>\n}. Offering is
 * thread-safe; draining is for the watcher's event loop only.
 */
public final class LogWatcher {

    /**
     * Bytes of heap the queued events of one watcher hold at most: memcached 1.6.18's default
     * watcher_logbuf_size (256 KiB), which bounds its formatted lines; here it bounds
     * {@link LogEvent#heapBytes} summed over the queue.
     */
    public static final int BUFFER_BYTES = 262_144;

    private final WatchLog log;
    final int streams;
    private final Runnable wakeup;
    private final ConcurrentLinkedQueue<LogEvent> queue = new ConcurrentLinkedQueue<>();
    /** {@link LogEvent#heapBytes} of the queued events, plus those being offered. */
    private final AtomicInteger queuedBytes = new AtomicInteger();
    private final AtomicInteger skippedSinceLine = new AtomicInteger();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    LogWatcher(WatchLog log, int streams, Runnable wakeup) {
        this.log = log;
        this.streams = streams;
        this.wakeup = wakeup;
    }

    /** @return whether an event of {@code heapBytes} fits the queue now; one volatile read */
    boolean hasRoom(int heapBytes) {
        return queuedBytes.get() <= BUFFER_BYTES - heapBytes;
    }

    /** Counts an event skipped because it did not fit the queue [log_watcher_skipped]. */
    void skip() {
        skippedSinceLine.incrementAndGet();
        log.skipped.incrementAndGet();
    }

    /**
     * Queues the event, or skips and counts it if it does not fit; wakes the watcher up if it was
     * idle. Lock-free; allocates only the queue's node, and nothing when the event is skipped.
     *
     * @param heapBytes {@code event.heapBytes()}, computed once by the caller for every watcher
     */
    void offer(LogEvent event, int heapBytes) {
        if (queuedBytes.addAndGet(heapBytes) > BUFFER_BYTES) {
            queuedBytes.addAndGet(-heapBytes);
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
            queuedBytes.addAndGet(-event.heapBytes());
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
