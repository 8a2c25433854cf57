package dev.mnemo.store;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The store's own background maintenance: a daemon thread that reclaims expired and flushed items
 * one segment at a time, {@value #SWEEPS_PER_SECOND} times a second (so memory held by expired
 * items is reused before live items are evicted). Started by {@link StoreBuilder#open()} unless
 * turned off; stopped by {@link Store#close()}.
 */
final class ExpirySweeper implements AutoCloseable {

    /** Segments swept per second, one per sweep. */
    static final int SWEEPS_PER_SECOND = 8;

    private static final System.Logger LOG = System.getLogger(ExpirySweeper.class.getName());

    private final ScheduledExecutorService thread;

    ExpirySweeper(Store store) {
        thread = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread t = new Thread(task, "mnemo-expiry-sweeper");
            t.setDaemon(true);
            return t;
        });
        long periodMillis = 1000 / SWEEPS_PER_SECOND;
        thread.scheduleWithFixedDelay(() -> sweep(store), periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** One sweep; a failure (a damaged memory file) is logged and the next sweep tries again. */
    private static void sweep(Store store) {
        try {
            store.sweepExpired(1);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "expiry sweep failed", e);
        }
    }

    /** Stops the thread and waits for a sweep in progress to finish (at most a few milliseconds). */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
