package dev.mnemo.examples;

import dev.mnemo.store.Status;
import dev.mnemo.store.StorageCommand;
import dev.mnemo.store.Store;
import dev.mnemo.store.StoreConfig;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * The README's "Embedded" example as a program: opens a private off-heap store, sets an item and
 * reads it back. The lines between the tag comments are the README's code block, character for
 * character ({@code ReadmeExamplesTest} checks it and runs this program).
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED -cp examples/target/classes:store/target/classes
 * dev.mnemo.examples.EmbeddedExample}
 */
public final class EmbeddedExample {

    private EmbeddedExample() {
    }

    /** @param args none */
    public static void main(String[] args) {
        // tag::embedded[]
        try (Store store = Store.open(StoreConfig.defaults().withMemoryLimit(256L << 20))) {   // 256 MiB, a hard bound
            MemorySegment key = MemorySegment.ofArray("user:42".getBytes(StandardCharsets.US_ASCII));
            MemorySegment value = MemorySegment.ofArray("{\"name\":\"Ada\"}".getBytes(StandardCharsets.UTF_8));
            Status stored = store.store(StorageCommand.SET, key, 0, (int) key.byteSize(),
                    value, 0, (int) value.byteSize(), 0 /* client flags */, 3600 /* exptime, s */, 0 /* CAS */);
            byte[][] found = new byte[1][];
            boolean hit = store.get(key, 0, (int) key.byteSize(), item -> found[0] =
                    item.memory().asSlice(item.valueOffset(), item.valueLength()).toArray(ValueLayout.JAVA_BYTE));
        }
        // end::embedded[]
    }
}
