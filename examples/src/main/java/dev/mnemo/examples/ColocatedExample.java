package dev.mnemo.examples;

import dev.mnemo.store.StorageCommand;
import dev.mnemo.store.Store;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The README's "Co-located" example as a program: attaches to the memory file of a running server
 * (the first argument), sets an item in the server's memory and reads it back. The lines between
 * the tag comments are the README's code block, character for character
 * ({@code ReadmeExamplesTest} checks it and runs this program against a store it opens).
 *
 * <p>Run, with a server started as {@code ./mnemo -e /dev/shm/mnemo.mem}:
 * {@code java --enable-native-access=ALL-UNNAMED -cp examples/target/classes:store/target/classes
 * dev.mnemo.examples.ColocatedExample /dev/shm/mnemo.mem}
 */
public final class ColocatedExample {

    private ColocatedExample() {
    }

    /** @param args the server's memory file */
    public static void main(String[] args) {
        // tag::colocated[]
        // the server: ./mnemo -m 1024 -e /dev/shm/mnemo.mem; args[0] is that path
        try (Store store = Store.attach(Path.of(args[0]))) {   // geometry read from the file
            MemorySegment key = MemorySegment.ofArray("user:42".getBytes(StandardCharsets.US_ASCII));
            MemorySegment value = MemorySegment.ofArray("{\"name\":\"Ada\"}".getBytes(StandardCharsets.UTF_8));
            store.store(StorageCommand.SET, key, 0, (int) key.byteSize(), value, 0, (int) value.byteSize(), 0, 3600, 0);
            boolean hit = store.get(key, 0, (int) key.byteSize(), item -> System.out.println(item.valueLength()));
        }   // close() detaches; the server and other processes carry on
        // end::colocated[]
    }
}
