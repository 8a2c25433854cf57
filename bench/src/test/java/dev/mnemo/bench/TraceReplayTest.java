package dev.mnemo.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TraceReplayTest {

    @Test
    void writesKeysAsDecimalText() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(20);
            for (long key : new long[] {0, 7, 10, 99, 12345, -1, -305, Long.MAX_VALUE, Long.MIN_VALUE}) {
                int length = TraceReplay.writeDecimal(buffer, key);
                String text = new String(buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE),
                        StandardCharsets.US_ASCII);
                assertEquals(Long.toString(key), text);
                assertEquals(Long.toString(key).length(), TraceReplay.decimalLength(key));
            }
        }
    }

    @Test
    void lruReplayCountsCompulsoryAndCapacityMisses() {
        // keys 1 and 2 take 1 + 100 bytes each; a 202-byte budget holds both, 201 only one
        Trace trace = new Trace("t", new long[] {1, 2, 1, 2}, new int[] {100, 100, 100, 100});
        assertEquals(new TraceReplay.Result(0.5, 2), TraceReplay.replayLru(trace, 202, 0));
        assertEquals(new TraceReplay.Result(1.0, 1), TraceReplay.replayLru(trace, 201, 0));
    }

    @Test
    void chargedLruPaysItsOverheadPerItem() {
        // with 32 bytes charged each, keys 1 and 2 take 133 bytes: 266 holds both, 265 only one
        Trace trace = new Trace("t", new long[] {1, 2, 1, 2}, new int[] {100, 100, 100, 100});
        assertEquals(new TraceReplay.Result(0.5, 2), TraceReplay.replayLru(trace, 266, TraceReplay.ALLOWED_OVERHEAD));
        assertEquals(new TraceReplay.Result(1.0, 1), TraceReplay.replayLru(trace, 265, TraceReplay.ALLOWED_OVERHEAD));
    }

    @Test
    void beladyDropsTheKeyRequestedFurthestAhead() {
        // with room for two: 1, 2 and 3 miss; 3 is requested again last, so OPT does not keep it
        // and 1 and 2 hit; 3 then misses again. LRU of two misses all six.
        Trace trace = new Trace("t", new long[] {1, 2, 3, 1, 2, 3}, new int[] {100, 100, 100, 100, 100, 100});
        assertEquals(new TraceReplay.Result(4 / 6.0, 2), Belady.replay(trace, 2));
        assertEquals(new TraceReplay.Result(1.0, 2), TraceReplay.replayLruOfCount(trace, 2));
        // with room for one: 1 and 2 alternate, 3 is never requested again, so it is never kept
        Trace alternating = new Trace("a", new long[] {1, 2, 1, 3, 1, 2}, new int[] {1, 1, 1, 1, 1, 1});
        assertEquals(new TraceReplay.Result(4 / 6.0, 1), Belady.replay(alternating, 1));
    }

    @Test
    void lruOfCountIgnoresSizes() {
        Trace trace = new Trace("t", new long[] {1, 2, 1, 3, 1}, new int[] {100, 5000, 100, 7, 100});
        assertEquals(new TraceReplay.Result(0.6, 2), TraceReplay.replayLruOfCount(trace, 2));
        assertEquals(new TraceReplay.Result(1.0, 1), TraceReplay.replayLruOfCount(trace, 1));
    }

    @Test
    void fixedKeysAreTenDigitTexts() {
        try (Arena arena = Arena.ofConfined()) {
            FixedKeys keys = new FixedKeys(arena, 43);
            byte[] key = keys.memory().asSlice(keys.offset(42), FixedKeys.LENGTH).toArray(ValueLayout.JAVA_BYTE);
            assertEquals("k000000042", new String(key, StandardCharsets.US_ASCII));
        }
    }
}
