package dev.mnemo.examples;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts code snippets out of text, dedented (the indentation common to their non-blank lines
 * removed): the {@code ```java} blocks of a Markdown section, and the regions of a source file
 * between {@code // tag::name[]} and {@code // end::name[]} comment lines. Stateless.
 */
final class Snippets {

    private Snippets() {
    }

    /**
     * @param markdown a Markdown document
     * @param heading  a level-2 heading's text, e.g. {@code Embedded} for {@code ## Embedded}
     * @return the section's {@code ```java} blocks in order, without their fences, dedented
     * @throws IllegalArgumentException if the section is missing or a block is not closed
     */
    static List<String> javaBlocks(String markdown, String heading) {
        List<String> blocks = new ArrayList<>();
        List<String> block = null;
        boolean inSection = false;
        boolean found = false;
        for (String line : markdown.split("\n", -1)) {
            if (block != null) {
                if (line.strip().equals("```")) {
                    blocks.add(dedent(block));
                    block = null;
                } else {
                    block.add(line);
                }
            } else if (line.startsWith("## ")) {
                inSection = line.substring(3).strip().equals(heading);
                found |= inSection;
            } else if (inSection && line.strip().equals("```java")) {
                block = new ArrayList<>();
            }
        }
        if (!found || block != null) {
            throw new IllegalArgumentException((found ? "unclosed ```java block in section " : "no section ## ") + heading);
        }
        return blocks;
    }

    /**
     * @param source a source file's text
     * @return the lines between each {@code // tag::name[]} and its {@code // end::name[]}, in
     *         order, dedented
     * @throws IllegalArgumentException if a region is not closed, or is closed or nested wrongly
     */
    static List<String> taggedRegions(String source) {
        List<String> regions = new ArrayList<>();
        List<String> region = null;
        String name = null;
        for (String line : source.split("\n", -1)) {
            String text = line.strip();
            if (text.startsWith("// tag::")) {
                if (region != null) {
                    throw new IllegalArgumentException("tag inside region " + name + ": " + text);
                }
                name = text.substring("// tag::".length());
                region = new ArrayList<>();
            } else if (text.startsWith("// end::")) {
                if (region == null || !text.substring("// end::".length()).equals(name)) {
                    throw new IllegalArgumentException("end without its tag: " + text);
                }
                regions.add(dedent(region));
                region = null;
            } else if (region != null) {
                region.add(line);
            }
        }
        if (region != null) {
            throw new IllegalArgumentException("region " + name + " not closed");
        }
        return regions;
    }

    /** The lines joined with newlines, less the indentation common to the non-blank ones; blank lines empty. */
    static String dedent(List<String> lines) {
        int indent = lines.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        return String.join("\n", lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList());
    }
}
