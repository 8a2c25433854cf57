package dev.mnemo.protocol;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzz target of the meta commands (protocol.txt "Meta Debug" … "Meta No-Op":
 * mg, ms, md, ma, mn, me): see {@link TextConnectionFuzzer} for the input layout and the
 * oracles. Without JAZZER_FUZZ it replays the committed corpus in
 * {@code src/test/resources/dev/mnemo/protocol/MetaFuzzTestInputs/meta}.
 */
class MetaFuzzTest {

    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"mg ", "ms ", "md ", "ma ", "mn", "me ", "\\x0d\\x0a", " b", " c", " f", " h", " k", " l",
        " O", " q", " s", " t", " v", " E", " N", " R", " T", " I", " M", " MS", " ME", " MA", " MP", " MR", " MI",
        " MD", " MJ", " D", " J", " C", " F", " x", " u", " S", " 0", "18446744073709551615", "-1", "bm90YQ=="})
    void meta(FuzzedDataProvider data) {
        TextConnectionFuzzer.run(data);
    }
}
