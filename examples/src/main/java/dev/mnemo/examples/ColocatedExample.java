package dev.mnemo.examples;

import dev.mnemo.store.CasResult;
import dev.mnemo.store.Item;
import dev.mnemo.store.Store;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The README's "Co-located" example as a program: attaches to the memory file of a running server
 * (the first argument), sets an item in the server's memory with a TTL, reads it back and updates it
 * with compare-and-set. The lines between
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
            byte[] key = "user:42".getBytes(StandardCharsets.UTF_8);
            store.set(key, "{\"name\":\"Ada\"}".getBytes(StandardCharsets.UTF_8), Duration.ofHours(1));
            byte[] value = store.get(key);                                      // what the server's clients see too

            Item item = store.getItem(key);
            CasResult result = store.compareAndSet(key, item.casUnique(), "{\"name\":\"Ada L.\"}".getBytes(StandardCharsets.UTF_8));
            System.out.println(new String(value, StandardCharsets.UTF_8) + " " + result);
        }   // close() detaches; the server and other processes carry on
        // end::colocated[]
    }
}
