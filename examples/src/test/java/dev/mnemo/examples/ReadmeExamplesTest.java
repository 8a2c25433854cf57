package dev.mnemo.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.store.Store;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The README's embedded and co-located examples are the example programs' code, character for
 * character, and the programs run: the embedded one on its own, the co-located one attached to the
 * memory file of a store this test opens as the server.
 */
class ReadmeExamplesTest {

    /** The repository's README, from this module's directory (surefire's working directory). */
    private static final Path README = Path.of("..", "README.md");
    private static final Path SOURCES = Path.of("src", "main", "java", "dev", "mnemo", "examples");

    @ParameterizedTest(name = "## {0} shows {1}")
    @CsvSource({"Embedded, EmbeddedExample.java", "Co-located, ColocatedExample.java"})
    void readmeSectionShowsExactlyTheTaggedCodeOfItsExample(String section, String example) throws IOException {
        List<String> shown = Snippets.javaBlocks(Files.readString(README), section);
        List<String> tagged = Snippets.taggedRegions(Files.readString(SOURCES.resolve(example)));
        assertFalse(shown.isEmpty(), "README section ## " + section + " has no ```java block");
        assertEquals(tagged, shown, "README section ## " + section + " must show " + example
                + "'s tagged regions exactly, one ```java block per region");
    }

    @Test
    void embeddedExampleRuns() {
        String out = printed(() -> EmbeddedExample.main(new String[0]));
        assertTrue(out.startsWith("{\"name\":\"Ada\"} STORED 1 hits="), out);
    }

    /** @return what {@code program} printed to System.out */
    private static String printed(Runnable program) {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            program.run();
        } finally {
            System.setOut(original);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void colocatedExampleSetsTheItemInTheServersMemory(@TempDir Path dir) {
        Path file = dir.resolve("mnemo.mem");
        try (Store server = Store.builder().memoryLimit(8L << 20).memoryFile(file).open()) {
            String out = printed(() -> ColocatedExample.main(new String[] {file.toString()}));
            assertEquals("{\"name\":\"Ada\"} STORED", out.strip());
            byte[] value = server.get("user:42".getBytes(StandardCharsets.UTF_8));
            assertNotNull(value, "the example's item is in the server's memory");
            assertEquals("{\"name\":\"Ada L.\"}", new String(value, StandardCharsets.UTF_8), "set, then compare-and-set");
        }
    }
}
