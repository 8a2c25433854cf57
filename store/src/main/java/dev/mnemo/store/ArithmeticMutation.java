package dev.mnemo.store;

/**
 * incr and decr as a {@link Mutation} (protocol.txt "Increment/Decrement"): the item's value,
 * the decimal text of an unsigned 64-bit number, plus or minus a delta (incr wraps at 2^64,
 * decr stops at 0), written as decimal text padded with spaces to the old length as memcached
 * does, with the item's client flags and exptime kept. Refuses a missing or dead item
 * (NOT_FOUND), another CAS unique (EXISTS) and a value that is not a number (NOT_STORED, which
 * {@link Writes} reports as {@link ArithmeticResult#NON_NUMERIC}), in memcached's do_add_delta order. Reusable per thread; not thread-safe.
 */
final class ArithmeticMutation extends Mutation {

    private final Liveness liveness;
    private final Reads reads;

    private boolean increment;
    private long delta;
    private long casUnique;
    private ItemReader reader;
    private MetaItem meta;

    private long result;
    private int digits;
    private int oldLength;

    ArithmeticMutation(Region region, Liveness liveness, Reads reads) {
        super(region);
        this.liveness = liveness;
        this.reads = reads;
    }

    /**
     * Sets the request (the key is set with {@link #key}).
     *
     * @param casUnique   0 for no check, else the unique the item must have
     * @param explicitCas the new item's CAS unique (meta flag E), 0 for the next one
     * @param reader      called with the new item under the key's bucket locks, through {@code meta} if not null; may be null
     * @return this
     */
    ArithmeticMutation set(boolean increment, long delta, long casUnique, long explicitCas, ItemReader reader,
                           MetaItem meta) {
        this.increment = increment;
        this.delta = delta;
        this.casUnique = casUnique;
        this.explicitCas = explicitCas;
        this.reader = reader;
        this.meta = meta;
        return this;
    }

    @Override
    WriteResult decide(long old, int oldValueLength, boolean live, long now) {
        if (!live) {
            return WriteResult.NOT_FOUND;
        }
        // memcached's do_add_delta: an empty value is refused before the CAS check, a non-numeric one after
        if (oldValueLength > 0 && casUnique != 0 && !liveness.casMatches(old, casUnique)) {
            return WriteResult.EXISTS;
        }
        long valueAt = Items.keyOffset(old) + keyLength;
        if (oldValueLength == 0 || !DecimalText.isNumber(memory, valueAt, oldValueLength)) {
            return WriteResult.NOT_STORED; // not a number
        }
        long number = DecimalText.parse(memory, valueAt, oldValueLength);
        result = increment ? number + delta : (Long.compareUnsigned(number, delta) < 0 ? 0 : number - delta);
        digits = DecimalText.length(result);
        oldLength = oldValueLength;
        newValueLength = Math.max(digits, oldValueLength);
        clientFlags = Items.clientFlags(memory, old);
        expiresAt = Items.exptime(memory, old);
        bits = Items.bits(memory, old) & ~(Items.WIN_TOKEN_SENT | Items.UNLINKED);
        return null;
    }

    @Override
    void write(long item, long casDelta, long now) {
        writeHeader(item, casDelta, now);
        writeKey(item);
        DecimalText.write(result, memory, Items.keyOffset(item) + keyLength, newValueLength);
    }

    @Override
    void published(long item, long now) {
        if (reader != null) {
            reads.read(item, keyLength, newValueLength, now, reader, meta, false);
        }
    }

    /** @return whether the last stored number has more digits than the old value: memcached links a new item only then */
    boolean grew() {
        return digits > oldLength;
    }

    /** Drops the references to the request's memory and callbacks. */
    void clear() {
        key = null;
        reader = null;
        meta = null;
    }
}
