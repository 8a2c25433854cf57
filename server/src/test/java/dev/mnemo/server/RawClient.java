package dev.mnemo.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** A plain-socket memcached client for byte-exact tests: send bytes, read exactly what is expected. */
final class RawClient implements AutoCloseable {

    /** A request whose reply ("END") marks the end of the replies before it: nothing extra was sent. */
    static final String SENTINEL = "get mnemo-test-sentinel\r\n";

    private final Socket socket;
    private final InputStream input;
    private final OutputStream output;

    RawClient(InetSocketAddress address) {
        try {
            socket = new Socket();
            socket.connect(address, 5000);
            socket.setSoTimeout(5000);
            socket.setTcpNoDelay(true);
            input = socket.getInputStream();
            output = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param connected a connected socket, such as a TLS one after its handshake; its read
     *                  timeout becomes 5 s
     */
    RawClient(Socket connected) {
        try {
            socket = connected;
            socket.setSoTimeout(5000);
            socket.setTcpNoDelay(true);
            input = socket.getInputStream();
            output = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Socket socket() {
        return socket;
    }

    RawClient send(String ascii) {
        return send(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawClient send(byte[] bytes) {
        try {
            output.write(bytes);
            output.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Reads exactly {@code n} bytes (failing on timeout or end of stream). */
    byte[] read(int n) {
        byte[] bytes = new byte[n];
        int done = 0;
        try {
            while (done < n) {
                int got = input.read(bytes, done, n - done);
                if (got < 0) {
                    fail("connection closed after " + done + " of " + n + " bytes: "
                            + new String(bytes, 0, done, StandardCharsets.ISO_8859_1));
                }
                done += got;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("after " + done + " of " + n + " bytes: "
                    + new String(bytes, 0, done, StandardCharsets.ISO_8859_1), e);
        }
        return bytes;
    }

    /** Reads one line including its "\r\n". */
    String readLine() {
        StringBuilder line = new StringBuilder();
        try {
            while (!(line.length() >= 2 && line.charAt(line.length() - 2) == '\r' && line.charAt(line.length() - 1) == '\n')) {
                int b = input.read();
                if (b < 0) {
                    fail("connection closed mid-line: " + line);
                }
                line.append((char) b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return line.toString();
    }

    /** Reads exactly the expected reply and asserts it byte for byte. */
    void expect(String reply) {
        assertEquals(reply, new String(read(reply.length()), StandardCharsets.ISO_8859_1));
    }

    /**
     * Sends the request followed by {@link #SENTINEL} and asserts that the reply is exactly
     * {@code reply}: nothing missing, nothing extra.
     */
    void exchange(String request, String reply) {
        send(request + SENTINEL);
        expect(reply + "END\r\n");
    }

    /** Asserts that the server closes the connection (after sending exactly {@code reply}). */
    void expectClosed(String reply) {
        expect(reply);
        try {
            int next = input.read();
            assertEquals(-1, next, "expected the server to close the connection");
        } catch (SocketTimeoutException e) {
            fail("the server did not close the connection");
        } catch (IOException e) {
            // a reset also means closed
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
