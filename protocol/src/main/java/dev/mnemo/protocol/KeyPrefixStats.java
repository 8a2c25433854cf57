package dev.mnemo.protocol;

import dev.mnemo.store.Store;
import io.netty.buffer.ByteBuf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * memcached's per-prefix statistics ("stats detail on|off|dump", -D): for each key prefix, the
 * part of the key before the first delimiter byte (':' unless -D says otherwise), the number of
 * gets (and of those, hits), of storage commands and of deletes, text and binary (not meta, as
 * in memcached), counted while detail is
 * on. A key without the delimiter is not counted, as in memcached.
 *
 * <p>Bounded: at most {@value #MAX_PREFIXES} prefixes are kept (memcached bounds nothing); a
 * new prefix past that is not counted, and {@link #dropped()} says how many events were
 * skipped so. Thread-safe. Off, recording costs one volatile read; on, it allocates only the
 * first time a prefix is seen (each connection looks prefixes up through its own
 * {@link Recorder}).
 */
public final class KeyPrefixStats {

    /** Prefixes kept at most; events for further new prefixes are dropped. */
    public static final int MAX_PREFIXES = 1024;

    private static final byte[] PREFIX = ascii("PREFIX ");
    private static final byte[] GET = ascii(" get ");
    private static final byte[] HIT = ascii(" hit ");
    private static final byte[] SET = ascii(" set ");
    private static final byte[] DEL = ascii(" del ");

    private final ConcurrentHashMap<Prefix, Counts> prefixes = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean enabled;
    private volatile byte delimiter = ':';

    /** @param on whether to count from now on ("stats detail on|off"; memcached's -D turns it on) */
    public void enable(boolean on) {
        enabled = on;
    }

    /** @return whether events are being counted [detail_enabled] */
    public boolean enabled() {
        return enabled;
    }

    /** @param delimiter the byte that ends a key's prefix (':' by default) */
    public void delimiter(byte delimiter) {
        this.delimiter = delimiter;
    }

    /** memcached's -D: uses this delimiter and turns counting on. @param delimiter as {@link #delimiter(byte)} */
    public void useDelimiter(byte delimiter) {
        delimiter(delimiter);
        enable(true);
    }

    /** @return the byte that ends a key's prefix [stat_key_prefix] */
    public byte delimiter() {
        return delimiter;
    }

    /** @return events not counted because {@value #MAX_PREFIXES} prefixes were already kept */
    public long dropped() {
        return dropped.get();
    }

    /** Forgets every prefix, as memcached's "stats reset" does. */
    public void clear() {
        prefixes.clear();
    }

    /** @return a new recorder for one connection's event loop */
    Recorder recorder() {
        return new Recorder();
    }

    /**
     * Writes "stats detail dump": {@code PREFIX <p> get <n> hit <n> set <n> del <n>\r\n} per
     * prefix, in no particular order (memcached's is its hash table's), then END. Allocates.
     */
    void dump(ByteBuf out) {
        prefixes.forEach((prefix, counts) -> {
            out.writeBytes(PREFIX).writeBytes(prefix.bytes, 0, prefix.length);
            out.writeBytes(GET);
            Ascii.writeUnsigned(out, counts.gets.sum());
            out.writeBytes(HIT);
            Ascii.writeUnsigned(out, counts.hits.sum());
            out.writeBytes(SET);
            Ascii.writeUnsigned(out, counts.sets.sum());
            out.writeBytes(DEL);
            Ascii.writeUnsigned(out, counts.deletes.sum());
            out.writeBytes(Ascii.CRLF);
        });
        out.writeBytes(Ascii.END);
    }

    /**
     * One connection's way in: looks a key's prefix up through a reusable probe, so that
     * counting a known prefix allocates nothing. Not thread-safe: one per connection.
     */
    final class Recorder {

        /** Built by the first key counted: most connections never count one ("stats detail" is off). */
        private Prefix probe;

        /** Counts a get of the key, and a hit if {@code hit}. */
        void get(MemorySegment memory, long offset, int length, boolean hit) {
            if (enabled) {
                Counts counts = counts(memory, offset, length);
                if (counts != null) {
                    counts.gets.increment();
                    if (hit) {
                        counts.hits.increment();
                    }
                }
            }
        }

        /** Counts a storage command on the key. */
        void set(MemorySegment memory, long offset, int length) {
            if (enabled) {
                Counts counts = counts(memory, offset, length);
                if (counts != null) {
                    counts.sets.increment();
                }
            }
        }

        /** Counts a delete of the key. */
        void delete(MemorySegment memory, long offset, int length) {
            if (enabled) {
                Counts counts = counts(memory, offset, length);
                if (counts != null) {
                    counts.deletes.increment();
                }
            }
        }

        /** @return the key's prefix's counts, or null for no delimiter or no room for a new prefix */
        private Counts counts(MemorySegment memory, long offset, int length) {
            if (probe == null) {
                probe = new Prefix(new byte[Store.MAX_KEY_LENGTH], 0, 0);
            }
            byte d = delimiter;
            int n = Math.min(length, probe.bytes.length);
            int hash = 1;
            for (int i = 0; i < n; i++) {
                byte b = memory.get(ValueLayout.JAVA_BYTE, offset + i);
                if (b == d) {
                    probe.length = i;
                    probe.hash = hash;
                    return lookUp();
                }
                probe.bytes[i] = b;
                hash = 31 * hash + b;
            }
            return null;
        }

        private Counts lookUp() {
            Counts counts = prefixes.get(probe);
            if (counts != null) {
                return counts;
            }
            if (prefixes.size() >= MAX_PREFIXES) {
                dropped.incrementAndGet();
                return null;
            }
            return prefixes.computeIfAbsent(
                    new Prefix(Arrays.copyOf(probe.bytes, probe.length), probe.length, probe.hash), p -> new Counts());
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** A prefix's bytes: stored immutable, or a connection's reusable probe. */
    private static final class Prefix {
        final byte[] bytes;
        int length;
        int hash;

        Prefix(byte[] bytes, int length, int hash) {
            this.bytes = bytes;
            this.length = length;
            this.hash = hash;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Prefix p && p.hash == hash
                    && Arrays.equals(bytes, 0, length, p.bytes, 0, p.length);
        }
    }

    /** A prefix's counters. */
    private static final class Counts {
        final LongAdder gets = new LongAdder();
        final LongAdder hits = new LongAdder();
        final LongAdder sets = new LongAdder();
        final LongAdder deletes = new LongAdder();
    }
}
