package dev.mnemo.protocol;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzz target of the classic text commands (protocol.txt "Commands"): see
 * {@link TextConnectionFuzzer} for the input layout and the oracles. Without JAZZER_FUZZ it
 * replays the committed corpus in {@code src/test/resources/dev/mnemo/protocol/TextFuzzTestInputs/text};
 * {@code bench/fuzz.sh} runs it guided by coverage.
 */
class TextFuzzTest {

    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"set ", "add ", "replace ", "append ", "prepend ", "cas ", "get ", "gets ", "gat ", "gats ",
        "delete ", "incr ", "decr ", "touch ", "flush_all", "stats", " items", " slabs", " settings", " detail ",
        " dump", " on", " off", " sizes", " conns", " reset", " cachedump ", "verbosity ", "version", "quit",
        "shutdown", "cache_memlimit ", "lru_crawler ", "metadump ", "mgdump ", " all", "slabs ", "reassign ",
        "automove ", "watch", " noreply", "\\x0d\\x0a", " 0 0 ", "18446744073709551615", "-1", "4294967295",
        "GET / HTTP/1.0", " 1048576"})
    void text(FuzzedDataProvider data) {
        TextConnectionFuzzer.run(data);
    }
}
