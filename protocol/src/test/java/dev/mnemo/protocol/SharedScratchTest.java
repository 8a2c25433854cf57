package dev.mnemo.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scratch the connections of one thread share ({@link CommandLine}'s token arrays,
 * {@link TextRetrievalCommands}' VALUE-line writer): a connection whose request spans
 * {@link Protocol#process} calls must be answered as if it were alone, however other
 * connections' requests on the same thread come between those calls.
 */
class SharedScratchTest extends ProtocolTestBase {

    private Client other;

    @BeforeEach
    void openOther() {
        other = new Client(new TextProtocol(store, server, 2), UnpooledByteBufAllocator.DEFAULT);
    }

    @AfterEach
    void closeOther() {
        other.close();
    }

    @Test
    void aDataBlockInPartsIsStoredWhileAnotherConnectionSendsLongerLines() {
        assertEquals("", send("set first 5 0 10\r\n0123"));
        assertEquals("STORED\r\n", other.send("set another-key-with-more-tokens 7 0 3 noreply\r\nxyz\r\nset b 1 0 1\r\nz\r\n"));
        assertEquals("", send("456"));
        assertEquals("VALUE another-key-with-more-tokens 7 3\r\nxyz\r\nEND\r\n",
                other.send("get another-key-with-more-tokens\r\n"));
        assertEquals("STORED\r\n", send("789\r\n"));
        assertEquals("VALUE first 5 10\r\n0123456789\r\nEND\r\n", send("get first\r\n"));
    }

    @Test
    void aMultiKeyGetAnsweredOverSeveralCallsKeepsItsKeysWhileAnotherConnectionIsServed() {
        String big = "v".repeat(40_000); // two of these exceed one call's output: the get resumes
        for (String key : new String[] {"k1", "k2", "k3"}) {
            assertEquals("STORED\r\n", send("set " + key + " 0 0 " + big.length() + "\r\n" + big + "\r\n"));
        }
        assertEquals("STORED\r\n", other.send("set x 3 0 1\r\nq\r\n"));
        ByteBuf in = client.in;
        ByteBuf out = client.out;
        in.writeBytes("get k1 k2 missing k3\r\n".getBytes(StandardCharsets.US_ASCII));
        StringBuilder reply = new StringBuilder();
        int calls = 0;
        // as a connection handler does: process until the protocol needs more input
        for (Outcome outcome = client.protocol.process(in, out); outcome != Outcome.NEED_MORE_INPUT && calls < 100;
             outcome = client.protocol.process(in, out)) {
            assertEquals(Outcome.HANDLED, outcome);
            reply.append(client.take());
            calls++;
            // between its calls, the other connection parses and answers a line of other tokens
            assertEquals("VALUE x 3 1\r\nq\r\nEND\r\n", other.send("get x missing-key another\r\n"));
        }
        assertEquals(0, in.readableBytes());
        assertEquals("VALUE k1 0 40000\r\n" + big + "\r\nVALUE k2 0 40000\r\n" + big + "\r\nVALUE k3 0 40000\r\n"
                + big + "\r\nEND\r\n", reply.toString());
        assertTrue(calls > 1, "the get was answered in one call: the test no longer interleaves");
    }
}
