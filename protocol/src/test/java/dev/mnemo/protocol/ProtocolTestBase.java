package dev.mnemo.protocol;

import dev.mnemo.store.ManualClock;
import dev.mnemo.store.Store;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A real store on a {@link ManualClock} (no background sweeper: items stay until a request finds
 * them expired), a {@link TestServer} and one connection
 * ({@link #client}) per test; subclasses send requests and compare the reply bytes.
 */
abstract class ProtocolTestBase {

    static final long START = 1_700_000_000L;

    final ManualClock clock = new ManualClock(START);
    final TestServer server = new TestServer(TestServer.defaultSettings());
    Store store;
    Client client;

    @BeforeEach
    void openStore() {
        store = Store.builder().clock(clock).sweepExpiredInBackground(false).open();
        client = newClient();
    }

    @AfterEach
    void closeStore() {
        client.close();
        store.close();
    }

    Client newClient() {
        return new Client(new TextProtocol(store, server, 1), UnpooledByteBufAllocator.DEFAULT);
    }

    String send(String request) {
        return client.send(request);
    }
}
