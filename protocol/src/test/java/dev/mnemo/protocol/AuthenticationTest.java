package dev.mnemo.protocol;

import dev.mnemo.protocol.BinaryClient.Response;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.mnemo.protocol.BinaryClient.flagsExptime;
import static dev.mnemo.protocol.BinaryClient.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Authentication against an {@link AuthFile} (memcached -S / -Y): SASL PLAIN in the binary
 * protocol, the "username password" set of the text protocol (replies as memcached 1.6.18 -Y
 * sends them), the auth_cmds / auth_errors counters, and re-reading the file.
 */
class AuthenticationTest extends ProtocolTestBase {

    @TempDir
    Path dir;
    private Path file;

    @BeforeEach
    void writeAuthFile() throws IOException {
        file = dir.resolve("auth");
        Files.writeString(file, "alice:secret\n\nbob:pw:with:colons\r\n");
        server.authFile = AuthFile.load(file);
    }

    private static byte[] saslAuth(String mechanism, String message) {
        return request(0x21, new byte[0], mechanism, message.getBytes(StandardCharsets.ISO_8859_1), 0);
    }

    private BinaryClient binary() {
        return new BinaryClient(new BinaryProtocol(store, server, 1));
    }

    @Test
    void binaryCommandsBeforeSaslAuthAreRefusedAndClose() {
        try (BinaryClient c = binary()) {
            assertEquals(TextProtocol.VERSION, c.send(request(0x0b, "")).getFirst().valueText());
            List<Response> r = c.send(request(0x00, "k"));
            assertEquals(0x20, r.getFirst().status());
            assertEquals("Auth failure.", r.getFirst().valueText());
            assertTrue(c.isClosed());
        }
    }

    @Test
    void saslPlainAuthenticatesTheBinaryConnection() {
        try (BinaryClient c = binary()) {
            assertEquals("PLAIN", c.send(request(0x20, "")).getFirst().valueText());
            Response wrong = c.send(saslAuth("PLAIN", "\0alice\0wrong")).getFirst();
            assertEquals(0x20, wrong.status());
            assertEquals(0x20, c.send(saslAuth("CRAM-MD5", "x")).getFirst().status());
            assertEquals(0x20, c.send(request(0x22, new byte[0], "PLAIN", new byte[] {0}, 0)).getFirst().status());
            assertFalse(c.isClosed());
            Response ok = c.send(saslAuth("PLAIN", "\0bob\0pw:with:colons")).getFirst();
            assertEquals(0, ok.status());
            assertEquals("Authenticated", ok.valueText());
            assertEquals(0, c.send(request(0x01, flagsExptime(0, 0), "k", new byte[] {'v'}, 0)).getFirst().status());
            assertEquals("v", c.send(request(0x00, "k")).getFirst().valueText());
        }
        assertEquals(4, server.authFile.authCmds());
        assertEquals(3, server.authFile.authErrors());
    }

    @Test
    void withoutAnAuthFileSaslOpcodesAreUnknown() {
        server.authFile = null;
        try (BinaryClient c = binary()) {
            assertEquals(0x81, c.send(request(0x20, "")).getFirst().status());
            assertFalse(c.isClosed());
        }
    }

    private Client text() {
        return new Client(new TextProtocol(store, server, 1), UnpooledByteBufAllocator.DEFAULT);
    }

    @Test
    void textClientsAuthenticateWithASetOfUserAndPassword() {
        try (Client c = text()) {
            assertEquals("STORED\r\n", c.send("set any 0 0 12 noreply\r\nalice secret\r\n"));
            assertEquals("STORED\r\n", c.send("set k 0 0 1\r\nv\r\n"));
            assertEquals("VALUE k 0 1\r\nv\r\nEND\r\n", c.send("get k\r\n"));
        }
        try (Client c = text()) {
            assertEquals("CLIENT_ERROR unauthenticated\r\n", c.send("get k\r\n"));
            assertTrue(c.isClosed());
        }
        try (Client c = text()) {
            assertEquals("CLIENT_ERROR authentication failure\r\n", c.send("set a 0 0 11\r\nalice wrong\r\nget k\r\n"));
            assertTrue(c.isClosed());
        }
        try (Client c = text()) {
            assertEquals("CLIENT_ERROR bad authentication token format\r\n", c.send("set a 0 0 5\r\nalice\r\n"));
            assertTrue(c.isClosed());
        }
        assertEquals(3, server.authFile.authCmds());
        assertEquals(2, server.authFile.authErrors());
    }

    @Test
    void reloadReplacesTheCredentialsAndABadFileKeepsTheOld() throws IOException {
        AuthFile auth = server.authFile;
        Files.writeString(file, "carol:new\n");
        auth.reload();
        assertTrue(auth.check("carol".getBytes(), "new".getBytes()));
        assertFalse(auth.check("alice".getBytes(), "secret".getBytes()));
        Files.writeString(file, "no colon here\n");
        IOException e = assertThrows(IOException.class, auth::reload);
        assertFalse(e.getMessage().contains("no colon"), "the message must not quote the line: " + e.getMessage());
        assertTrue(auth.check("carol".getBytes(), "new".getBytes()));
    }
}
