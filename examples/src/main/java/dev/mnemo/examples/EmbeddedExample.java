package dev.mnemo.examples;

import dev.mnemo.store.CasResult;
import dev.mnemo.store.Item;
import dev.mnemo.store.Store;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The README's "Embedded" example as a program: opens a private off-heap store, sets an item with
 * a TTL, reads it back, updates it with compare-and-set and counts with increment. The lines between the tag comments are the README's code block, character for
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
        try (Store store = Store.builder().memoryLimit(256L << 20).open()) {   // 256 MiB, a hard bound
            byte[] key = "user:42".getBytes(StandardCharsets.UTF_8);
            store.set(key, "{\"name\":\"Ada\"}".getBytes(StandardCharsets.UTF_8), Duration.ofHours(1));
            byte[] value = store.get(key);                                      // null on a miss

            Item item = store.getItem(key);                                     // value, client flags, CAS unique, expiry
            CasResult result = store.compareAndSet(key, item.casUnique(), "{\"name\":\"Ada L.\"}".getBytes(StandardCharsets.UTF_8));

            byte[] visits = "visits:42".getBytes(StandardCharsets.UTF_8);
            store.add(visits, "0".getBytes(StandardCharsets.US_ASCII));
            long count = store.increment(visits, 1).orElseThrow();              // 1

            System.out.println(new String(value, StandardCharsets.UTF_8) + " " + result + " " + count
                    + " hits=" + store.stats().getHits());
        }
        // end::embedded[]
    }
}
