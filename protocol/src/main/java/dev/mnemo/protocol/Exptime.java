package dev.mnemo.protocol;

import dev.mnemo.store.Store;

/**
 * protocol.txt's expiration times ("Expiration times"), turned into the store's absolute ones.
 * Every protocol — text, meta, binary — converts through here; the store itself knows only
 * absolute Unix times.
 */
final class Exptime {

    /** The longest relative exptime, in seconds (30 days); a larger value is an absolute Unix time. */
    static final long MAX_RELATIVE = 60L * 60 * 24 * 30;

    private Exptime() {
    }

    /**
     * @param exptime as a client sent it: 0 never expires; 1 to {@value #MAX_RELATIVE} is seconds from
     *                now; larger is an absolute Unix time in seconds; negative is already expired
     * @param now     the store's current time, Unix seconds
     * @return the store's form: Unix seconds, 0 for never, at or before {@code now} for already expired
     */
    static long toExpiresAt(long exptime, long now) {
        if (exptime == 0) {
            return 0;
        }
        if (exptime < 0) {
            return 1;
        }
        return exptime <= MAX_RELATIVE ? now + exptime : exptime;
    }

    /** As {@link #toExpiresAt(long, long)}, reading the store's clock only for a relative exptime. */
    static long toExpiresAt(long exptime, Store store) {
        return exptime > 0 && exptime <= MAX_RELATIVE ? store.nowSeconds() + exptime : toExpiresAt(exptime, 0);
    }
}
