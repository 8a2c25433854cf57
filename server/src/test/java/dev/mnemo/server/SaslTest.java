package dev.mnemo.server;

import net.spy.memcached.AddrUtil;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.MemcachedClient;
import net.spy.memcached.auth.AuthDescriptor;
import net.spy.memcached.auth.PlainCallbackHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Authentication with -S and --auth-file: spymemcached with SASL PLAIN, raw binary and text clients. */
@Timeout(60)
class SaslTest {

    @TempDir
    Path dir;

    private RunningServer start() throws IOException {
        Path file = dir.resolve("auth");
        Files.writeString(file, "alice:secret\n");
        return RunningServer.start("-S", "--auth-file", file.toString());
    }

    @Test
    void spymemcachedAuthenticatesWithSaslPlain() throws Exception {
        try (RunningServer server = start()) {
            MemcachedClient client = new MemcachedClient(new ConnectionFactoryBuilder()
                    .setProtocol(ConnectionFactoryBuilder.Protocol.BINARY)
                    .setAuthDescriptor(new AuthDescriptor(new String[] {"PLAIN"}, new PlainCallbackHandler("alice", "secret")))
                    .setOpTimeout(5000)
                    .build(), AddrUtil.getAddresses("127.0.0.1:" + server.port()));
            try {
                assertTrue(client.set("sasl-k", 0, "v").get(5, TimeUnit.SECONDS));
                assertEquals("v", client.get("sasl-k"));
                String authCmds = client.getStats().values().iterator().next().get("auth_cmds");
                assertEquals("1", authCmds);
            } finally {
                client.shutdown(5, TimeUnit.SECONDS);
            }
        }
    }

    private static byte[] request(int opcode, String key, String value) {
        byte[] k = key.getBytes(StandardCharsets.US_ASCII);
        byte[] v = value.getBytes(StandardCharsets.ISO_8859_1);
        return ByteBuffer.allocate(24 + k.length + v.length).put((byte) 0x80).put((byte) opcode)
                .putShort((short) k.length).putInt(0).putInt(k.length + v.length).putInt(0).putLong(0)
                .put(k).put(v).array();
    }

    @Test
    void binaryCommandsBeforeAuthenticationGetAuthErrorAndClose() throws IOException {
        try (RunningServer server = start(); RawClient client = server.connect()) {
            client.send(request(0x21, "PLAIN", "\0alice\0wrong"));
            byte[] failed = client.read(24 + 13);
            assertEquals(0x20, ByteBuffer.wrap(failed).getShort(6));
            client.send(request(0x00, "k", ""));
            byte[] refused = client.read(24 + 13);
            assertEquals(0x20, ByteBuffer.wrap(refused).getShort(6));
            assertEquals("Auth failure.", new String(refused, 24, 13, StandardCharsets.US_ASCII));
            assertEquals(-1, client.socket().getInputStream().read());
        }
    }

    @Test
    void textClientsAuthenticateWithASet() throws IOException {
        try (RunningServer server = start()) {
            try (RawClient client = server.connect()) {
                client.send("version\r\n");
                client.expectClosed("CLIENT_ERROR unauthenticated\r\n");
            }
            try (RawClient client = server.connect()) {
                client.send("set auth 0 0 12\r\nalice secret\r\n");
                client.expect("STORED\r\n");
                client.exchange("set k 0 0 1\r\nv\r\nget k\r\n", "STORED\r\nVALUE k 0 1\r\nv\r\nEND\r\n");
            }
        }
    }
}
