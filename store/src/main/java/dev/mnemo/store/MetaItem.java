package dev.mnemo.store;

import java.lang.foreign.MemorySegment;

/**
 * The meta protocol's hold on one item (protocol.txt "Meta Get", "Meta Arithmetic"): the request's
 * options that {@link MetaOperations#get} and {@link MetaOperations#increment} act on, and, while the store
 * calls the request's {@link ItemReader} under the key's bucket locks, the item's state and the
 * changes the request makes to it in the order its flags come (as memcached applies T, N and R
 * where they stand on the line, so a t before a T prints the TTL before the touch). The store
 * writes the changes to the item when the reader returns, still under the locks.
 *
 * <p>Win tokens: {@link #recache} (flag R) wins when the item's exptime is below the threshold,
 * and {@link #settle()} wins for an item this request created (flag N) or a stale one; nothing wins once another request holds the token
 * ({@link #tokenSent()}), so exactly one request wins per stale or recache cycle.
 *
 * <p>A reusable flyweight: {@link #reset()} it, set the options, pass it to the store. Allocates
 * nothing. Not thread-safe: one per connection; valid only during the call it is passed to.
 */
public final class MetaItem {

    private boolean noBump;
    private boolean vivify;
    private long explicitCas;

    private MemorySegment memory;
    private long item;
    private long now;
    private boolean created;
    private boolean hitBefore;
    private long lastAccess;
    private boolean stale;
    private boolean tokenSent;
    private boolean won;
    private long expiresAt;
    private boolean exptimeChanged;
    private boolean touched;

    /** Clears every option and the state. @return this */
    public MetaItem reset() {
        noBump = false;
        vivify = false;
        explicitCas = 0;
        memory = null;
        created = false;
        touched = false;
        return this;
    }

    /** Option u: neither mark the item fetched nor refresh its last access nor bump it for eviction. @return this */
    public MetaItem noBump() {
        noBump = true;
        return this;
    }

    /** Option N of mg: on a miss, create an empty item (ma creates through its initial value instead). @return this */
    public MetaItem vivify() {
        vivify = true;
        return this;
    }

    /** Option E: the CAS unique a created or updated item gets, instead of the next one; 0 for the next. @return this */
    public MetaItem explicitCas(long casUnique) {
        explicitCas = casUnique;
        return this;
    }

    // ---- during the reader's call ----

    /** Flag T: sets the item's expiry. @param expiresAt Unix seconds, 0 for never */
    public void touch(long expiresAt) {
        setExptime(expiresAt);
        touched = true;
    }

    /** Flag N: sets the expiry of an item this request created. @param expiresAt Unix seconds, 0 for never */
    public void vivified(long expiresAt) {
        if (created) {
            setExptime(expiresAt);
        }
    }

    /**
     * Flag R: wins the token if no other request holds it, the item was not just created and its
     * expiry (as changed so far) is set and before {@code threshold}.
     *
     * @param threshold Unix seconds (the protocol adds R's seconds to now)
     */
    public void recache(long threshold) {
        if (!tokenSent && !created && expiresAt != 0 && expiresAt < Items.expiry(threshold)) {
            won = true;
        }
    }

    /**
     * Ends mg's token decision, after the flags: an item this request created wins, and so does a
     * stale item whose token no other request holds.
     */
    public void settle() {
        if (created || (stale && !tokenSent)) {
            won = true;
        }
    }

    /** @return the store's time for this request, Unix seconds: the protocol converts T's, N's and R's exptimes with it */
    public long now() {
        return now;
    }

    /** @return the remaining TTL in seconds as changed so far, -1 if the item never expires */
    public long ttl() {
        return expiresAt == 0 ? -1 : expiresAt - now;
    }

    /** @return whether this request created the item (N on a miss) */
    public boolean created() {
        return created;
    }

    /** @return whether this request won the token (reply flag W) */
    public boolean won() {
        return won;
    }

    /** @return whether another request already held the item's token (reply flag Z) */
    public boolean tokenSent() {
        return tokenSent;
    }

    /** @return whether the item is marked stale (reply flag X) */
    public boolean stale() {
        return stale;
    }

    /** @return whether the item had been fetched before this request (flag h) */
    public boolean hitBefore() {
        return hitBefore;
    }

    /** @return seconds since the item's last access before this request (flag l) */
    public long secondsSinceAccess() {
        return now - lastAccess;
    }

    /** @return whether the item's key was stored base64-encoded (flag b of the ms that stored it) */
    public boolean isKeyBinary() {
        return memory != null && (Items.bits(memory, item) & Items.KEY_BINARY) != 0;
    }

    // ---- the store's side ----

    boolean isNoBump() {
        return noBump;
    }

    boolean isVivify() {
        return vivify;
    }

    long explicitCasValue() {
        return explicitCas;
    }


    boolean wasTouched() {
        return touched;
    }

    /** Points at a live item, under its bucket locks, before the reader is called. */
    void enter(MemorySegment memory, long item, long now, boolean created) {
        this.memory = memory;
        this.item = item;
        this.now = now;
        this.created = created;
        int bits = Items.bits(memory, item);
        hitBefore = !created && (bits & Items.FETCHED) != 0;
        lastAccess = created ? now : Items.lastAccess(Items.lastAccess16(memory, item), now);
        stale = (bits & Items.STALE) != 0;
        tokenSent = !created && (bits & Items.WIN_TOKEN_SENT) != 0;
        won = false;
        expiresAt = Items.exptime(memory, item);
        exptimeChanged = false;
        touched = false;
    }

    /** Writes the reader's changes to the item; still under its bucket locks. */
    void leave() {
        if (exptimeChanged) {
            Items.setExptime(memory, item, expiresAt);
        }
        if (won) {
            Items.setBits(memory, item, Items.bits(memory, item) | Items.WIN_TOKEN_SENT);
        }
    }

    private void setExptime(long at) {
        expiresAt = Items.expiry(at);
        exptimeChanged = true;
    }
}
