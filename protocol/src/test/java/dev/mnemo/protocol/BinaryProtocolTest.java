package dev.mnemo.protocol;

import dev.mnemo.protocol.BinaryClient.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

import static dev.mnemo.protocol.BinaryClient.concat;
import static dev.mnemo.protocol.BinaryClient.delta;
import static dev.mnemo.protocol.BinaryClient.exptime;
import static dev.mnemo.protocol.BinaryClient.flagsExptime;
import static dev.mnemo.protocol.BinaryClient.request;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * memcached's binary protocol ("BinaryProtocolRevamped"), with the responses of memcached
 * 1.6.18 as the expected values (recorded from the Debian package, CAS masked): byte-exact
 * headers, every status code and its body text, quiet-mode suppression, and malformed input.
 */
class BinaryProtocolTest extends ProtocolTestBase {

    private BinaryClient binary;

    @BeforeEach
    void openBinary() {
        binary = new BinaryClient(new BinaryProtocol(store, server, 1));
    }

    @AfterEach
    void closeBinary() {
        binary.close();
    }

    private static byte[] set(int opcode, String key, String value, int flags, long cas) {
        return request(opcode, flagsExptime(flags, 0), key, value.getBytes(StandardCharsets.ISO_8859_1), cas);
    }

    private Response one(byte[]... packets) {
        List<Response> responses = binary.send(packets);
        assertEquals(1, responses.size(), responses.toString());
        return responses.getFirst();
    }

    private static void assertError(Response r, int opcode, int status, String text) {
        assertEquals(0x81, r.magic());
        assertEquals(opcode, r.opcode());
        assertEquals(status, r.status());
        assertEquals(0x01020304, r.opaque());
        assertEquals(0, r.cas());
        assertEquals(0, r.extras().length);
        assertEquals(0, r.key().length);
        assertEquals(text, r.valueText());
    }

    @Test
    void setAndGetHeadersAreByteExact() {
        binary.feed(set(0x01, "k", "val", 5, 0));
        byte[] setReply = binary.takeBytes();
        long cas = ByteBuffer.wrap(setReply, 16, 8).getLong();
        assertNotEquals(0, cas);
        assertEquals("810100000000000000000000010203040000000000000000",
                HexFormat.of().formatHex(ByteBuffer.wrap(setReply.clone()).putLong(16, 0).array()));
        binary.feed(request(0x0c, "k"));
        byte[] getk = binary.takeBytes();
        assertEquals(cas, ByteBuffer.wrap(getk, 16, 8).getLong());
        assertEquals("810c0001040000000000000801020304" + "0000000000000000" + "00000005" + "6b" + "76616c",
                HexFormat.of().formatHex(ByteBuffer.wrap(getk.clone()).putLong(16, 0).array()));
        Response get = one(request(0x00, "k"));
        assertEquals(5, get.flags());
        assertEquals("", get.keyText());
        assertEquals("val", get.valueText());
        assertEquals(cas, get.cas());
    }

    @Test
    void everyStatusCodeHasMemcachedsText() {
        assertError(one(request(0x00, "missing")), 0x00, 0x01, "Not found");
        one(set(0x01, "k", "abc", 0, 0));
        assertError(one(set(0x02, "k", "x", 0, 0)), 0x02, 0x02, "Data exists for key.");
        assertError(one(request(0x0e, new byte[0], "missing", new byte[] {'x'}, 0)), 0x0e, 0x05, "Not stored.");
        assertError(one(request(0x05, delta(1, 0, 0), "k", new byte[0], 0)), 0x05, 0x06,
                "Non-numeric server-side value for incr or decr");
        assertError(one(request(0x40, "abc")), 0x40, 0x81, "Unknown command");
        byte[] big = new byte[(1 << 20) + 1];
        assertError(one(request(0x01, flagsExptime(0, 0), "big", big, 0)), 0x01, 0x03, "Too large.");
        assertError(one(request(0x00, new byte[4], "k", new byte[0], 0)), 0x00, 0x04, "Invalid arguments");
        assertTrue(binary.isClosed());
    }

    @Test
    void getkMissEchoesTheKeyWithoutText() {
        Response r = one(request(0x0c, "nokey"));
        assertEquals(0x01, r.status());
        assertEquals("nokey", r.keyText());
        assertEquals(0, r.value().length);
        Response gatk = one(request(0x23, exptime(10), "nokey", new byte[0], 0));
        assertEquals(0x01, gatk.status());
        assertEquals("nokey", gatk.keyText());
    }

    @Test
    void quietVariantsSuppressSuccessAndGetMissesButNeverErrors() {
        List<Response> responses = binary.send(
                set(0x11, "k", "v", 3, 0),              // SETQ ok: nothing
                request(0x09, "missing"),               // GETQ miss: nothing
                request(0x0d, "k"),                     // GETKQ hit: sent
                set(0x12, "k", "v", 0, 0),              // ADDQ exists: error sent
                set(0x13, "missing", "v", 0, 0),        // REPLACEQ miss: error sent
                request(0x19, new byte[0], "k", new byte[] {'w'}, 0), // APPENDQ ok: nothing
                request(0x15, delta(1, 7, 0), "n", new byte[0], 0),  // INCREMENTQ create: nothing
                request(0x1e, exptime(0), "missing", new byte[0], 0), // GATQ miss: nothing
                request(0x14, "missing"),               // DELETEQ miss: error sent
                request(0x14, "k"),                     // DELETEQ ok: nothing
                request(0x18, "")  ,                    // FLUSHQ: nothing
                request(0x0a, ""));                     // NOOP
        assertEquals(List.of(0x0d, 0x12, 0x13, 0x14, 0x0a), responses.stream().map(Response::opcode).toList());
        assertEquals("k", responses.get(0).keyText());
        assertEquals("v", responses.get(0).valueText());
        assertEquals(List.of(0, 2, 1, 1, 0), responses.stream().map(Response::status).toList());
        binary.feed(request(0x17, ""));
        assertTrue(binary.isClosed());
        assertEquals(0, binary.takeBytes().length);
    }

    @Test
    void casOnEveryStorageCommand() {
        long cas = one(set(0x01, "k", "a", 0, 0)).cas();
        assertError(one(set(0x01, "k", "b", 0, cas + 1)), 0x01, 0x02, "Data exists for key.");
        assertError(one(set(0x01, "missing", "b", 0, cas)), 0x01, 0x01, "Not found");
        assertError(one(set(0x03, "k", "b", 0, cas + 1)), 0x03, 0x02, "Data exists for key.");
        assertError(one(request(0x0e, new byte[0], "k", new byte[] {'x'}, cas + 1)), 0x0e, 0x02, "Data exists for key.");
        assertError(one(request(0x04, new byte[0], "k", new byte[0], cas + 1)), 0x04, 0x02, "Data exists for key.");
        assertError(one(request(0x05, delta(1, 0, 0), "k", new byte[0], cas + 1)), 0x05, 0x02, "Data exists for key.");
        Response ok = one(set(0x01, "k", "b", 0, cas));
        assertEquals(0, ok.status());
        assertNotEquals(cas, ok.cas());
        long appended = one(request(0x0f, new byte[0], "k", new byte[] {'x'}, ok.cas())).cas();
        assertEquals("xb", one(request(0x00, "k")).valueText());
        assertEquals(0, one(request(0x04, new byte[0], "k", new byte[0], appended)).status());
        assertEquals(0x01, one(request(0x00, "k")).status());
    }

    @Test
    void storeAndIncrResponsesCarryTheItemsCasWithoutCountingAGet() {
        long set = one(set(0x01, "k", "a", 0, 0)).cas();
        long appended = one(request(0x0e, new byte[0], "k", new byte[] {'b'}, 0)).cas();
        long created = one(request(0x05, delta(1, 7, 0), "n", new byte[0], 0)).cas();
        long incremented = one(request(0x05, delta(1, 7, 0), "n", new byte[0], 0)).cas();
        assertEquals(0, store.stats().cmdGet());
        assertEquals(0, store.stats().getHits());
        assertNotEquals(set, appended);
        assertNotEquals(created, incremented);
        Response k = one(request(0x00, "k"));
        assertEquals(appended, k.cas());
        assertEquals(incremented, one(request(0x00, "n")).cas());
        assertEquals(2, store.stats().getHits());
        assertEquals(2, store.stats().cmdGet());
    }

    @Test
    void incrementWithCasOfAMissingItemCreatesIt() {
        Response created = one(request(0x05, delta(1, 7, 0), "n", new byte[0], 12345));
        assertEquals(0, created.status());
        assertEquals(7, ByteBuffer.wrap(created.value()).getLong());
        assertEquals(created.cas(), one(request(0x00, "n")).cas());
        assertEquals(0, store.stats().cmdSet(), "memcached counts no cmd_set for an item incr creates");
        assertEquals(0, store.stats().incrMisses(), "nor an incr miss");
    }

    @Test
    void incrementAndDecrementWithInitialValue() {
        assertError(one(request(0x05, delta(5, 10, -1), "n", new byte[0], 0)), 0x05, 0x01, "Not found");
        Response created = one(request(0x05, delta(5, 10, 0), "n", new byte[0], 0));
        assertEquals(10, ByteBuffer.wrap(created.value()).getLong());
        assertNotEquals(0, created.cas());
        Response incremented = one(request(0x05, delta(5, 10, 0), "n", new byte[0], 0));
        assertEquals(15, ByteBuffer.wrap(incremented.value()).getLong());
        assertEquals(0, incremented.extras().length);
        assertEquals(0, one(request(0x06, delta(100, 0, 0), "n", new byte[0], 0)).value()[7]);
        one(set(0x01, "max", "18446744073709551615", 0, 0));
        assertEquals(1, ByteBuffer.wrap(one(request(0x05, delta(2, 0, 0), "max", new byte[0], 0)).value()).getLong());
    }

    @Test
    void touchAndGatSetTheExptime() {
        one(set(0x01, "k", "val", 9, 0));
        Response touched = one(request(0x1c, exptime(10), "k", new byte[0], 0));
        assertEquals(0, touched.status());
        assertEquals(9, touched.flags());
        assertEquals(0, touched.value().length);
        assertEquals("val", one(request(0x1d, exptime(100), "k", new byte[0], 0)).valueText());
        clock.advance(50);
        assertEquals(0, one(request(0x00, "k")).status());
        clock.advance(51);
        assertEquals(1, one(request(0x00, "k")).status());
        assertError(one(request(0x1c, exptime(10), "k", new byte[0], 0)), 0x1c, 0x01, "Not found");
    }

    @Test
    void flushWithAndWithoutDelay() {
        one(set(0x01, "k", "v", 0, 0));
        assertEquals(0, one(request(0x08, exptime(10), "", new byte[0], 0)).status());
        assertEquals(0, one(request(0x00, "k")).status());
        clock.advance(11);
        assertEquals(1, one(request(0x00, "k")).status());
    }

    @Test
    void noopVersionVerbosityAndQuit() {
        Response version = one(request(0x0b, ""));
        assertEquals(TextProtocol.VERSION, version.valueText());
        assertEquals(0, one(request(0x0a, "")).status());
        assertEquals(0, one(request(0x1b, exptime(1), "", new byte[0], 0)).status());
        assertEquals(1, server.verbosity);
        Response quit = one(request(0x07, ""));
        assertEquals(0x07, quit.opcode());
        assertTrue(binary.isClosed());
    }

    @Test
    void statSendsOnePacketPerStatThenAnEmptyOne() {
        one(set(0x01, "k", "v", 0, 0));
        List<Response> all = binary.send(request(0x10, ""));
        Response last = all.getLast();
        assertEquals(0, last.key().length);
        assertEquals(0, last.value().length);
        assertTrue(all.stream().anyMatch(r -> r.keyText().equals("curr_items") && r.valueText().equals("1")), all.toString());
        assertTrue(all.stream().allMatch(r -> r.opcode() == 0x10 && r.status() == 0 && r.cas() == 0));
        List<Response> settings = binary.send(request(0x10, "settings"));
        assertTrue(settings.stream().anyMatch(r -> r.keyText().equals("item_size_max") && r.valueText().equals("1048576")));
        assertEquals(List.of(0x10), binary.send(request(0x10, "reset")).stream().map(Response::opcode).toList());
        assertEquals(1, server.resets);
        assertError(one(request(0x10, "bogus")), 0x10, 0x01, "Not found");
    }

    @Test
    void requestsSplitAcrossReadsAreAssembled() {
        byte[] both = concat(set(0x01, "key", "value", 1, 0), request(0x00, "key"));
        for (byte b : both) {
            binary.feed(new byte[] {b});
        }
        List<Response> responses = binary.take();
        assertEquals(2, responses.size());
        assertEquals("value", responses.get(1).valueText());
    }

    @Test
    void badMagicClosesWithoutReply() {
        binary.feed(concat(request(0x0a, ""), new byte[24]));
        assertEquals(1, binary.take().size());
        assertTrue(binary.isClosed());
    }

    @Test
    void keyAndExtrasLongerThanBodyIsUnknownCommandAndCloses() {
        byte[] packet = request(0x00, "kk");
        ByteBuffer.wrap(packet).putInt(8, 1);
        assertError(one(packet), 0x00, 0x81, "Unknown command");
        assertTrue(binary.isClosed());
    }

    @Test
    void overLongKeyIsInvalidAndCloses() {
        assertError(one(request(0x00, "k".repeat(251))), 0x00, 0x04, "Invalid arguments");
        assertTrue(binary.isClosed());
    }

    @Test
    void lengthsThatDoNotFitTheOpcodeAreInvalidAndClose() {
        for (byte[] packet : List.of(set(0x01, "", "v", 0, 0), request(0x01, new byte[4], "k", new byte[1], 0),
                request(0x0a, new byte[0], "", new byte[2], 0), request(0x08, new byte[2], "", new byte[0], 0),
                request(0x0e, new byte[8], "k", new byte[1], 0), request(0x05, new byte[8], "k", new byte[0], 0))) {
            try (BinaryClient c = new BinaryClient(new BinaryProtocol(store, server, 1))) {
                c.feed(packet);
                List<Response> r = c.take();
                assertEquals(1, r.size());
                assertEquals(0x04, r.getFirst().status());
                assertTrue(c.isClosed());
            }
        }
    }

    @Test
    void unknownOpcodeBodyIsSkippedAndTheConnectionGoesOn() {
        List<Response> r = binary.send(request(0x55, new byte[0], "", new byte[] {1, 2}, 0), request(0x0a, ""));
        assertEquals(List.of(0x81, 0), r.stream().map(Response::status).toList());
        assertFalse(binary.isClosed());
    }

    @Test
    void tooLargeValueIsDiscardedAsItArrivesAndTheOldItemRemoved() {
        one(set(0x01, "big", "old", 0, 0));
        int length = 3 << 20;
        byte[] packet = request(0x01, flagsExptime(0, 0), "big", new byte[length], 0);
        int chunk = 64 * 1024;
        binary.feed(java.util.Arrays.copyOfRange(packet, 0, chunk));
        assertError(binary.take().getFirst(), 0x01, 0x03, "Too large.");
        for (int at = chunk; at < packet.length; at += chunk) {
            binary.feed(java.util.Arrays.copyOfRange(packet, at, Math.min(packet.length, at + chunk)));
            assertTrue(binary.in.capacity() <= 2 * chunk, "buffered " + binary.in.capacity());
        }
        assertEquals(0, binary.takeBytes().length);
        assertEquals(0x01, one(request(0x00, "big")).status());
        assertFalse(binary.isClosed());
    }

    @Test
    void valueOfExactlyTheMaxItemSizeIsStored() {
        byte[] value = new byte[1 << 20];
        value[value.length - 1] = 'z';
        assertEquals(0, one(request(0x01, flagsExptime(0, 0), "big", value, 0)).status());
        assertArrayEquals(value, one(request(0x00, "big")).value());
    }
}
