package dev.mnemo.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Snippets: what counts as a README code block and as a tagged region, and what is refused. */
class SnippetsTest {

    @Test
    void javaBlocksAreTakenFromTheNamedSectionOnlyAndDedented() {
        String markdown = String.join("\n", "# Title", "## Embedded", "text", "```java", "  a();", "",
                "    b();", "```", "```", "not java", "```", "```java", "c();", "```", "## Other", "```java", "d();", "```");
        assertEquals(List.of("a();\n\n  b();", "c();"), Snippets.javaBlocks(markdown, "Embedded"));
        assertEquals(List.of("d();"), Snippets.javaBlocks(markdown, "Other"));
        assertThrows(IllegalArgumentException.class, () -> Snippets.javaBlocks(markdown, "Missing"));
        assertThrows(IllegalArgumentException.class, () -> Snippets.javaBlocks("## Open\n```java\nx();", "Open"));
    }

    @Test
    void taggedRegionsAreTheLinesBetweenTagAndEndDedented() {
        String source = String.join("\n", "class A {", "    // tag::one[]", "    x();", "        y();", "    // end::one[]",
                "    z();", "    // tag::two[]", "    w();", "    // end::two[]", "}");
        assertEquals(List.of("x();\n    y();", "w();"), Snippets.taggedRegions(source));
        assertThrows(IllegalArgumentException.class, () -> Snippets.taggedRegions("// tag::a[]\nx();"));
        assertThrows(IllegalArgumentException.class, () -> Snippets.taggedRegions("// tag::a[]\n// end::b[]"));
        assertThrows(IllegalArgumentException.class, () -> Snippets.taggedRegions("// tag::a[]\n// tag::b[]"));
        assertThrows(IllegalArgumentException.class, () -> Snippets.taggedRegions("// end::a[]"));
    }
}
