package dev.mnemo.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The credentials of memcached's authentication file ({@code -Y}/{@code --auth-file}: one
 * {@code user:password} per line; the password is everything after the first colon) and the
 * counters memcached keeps for authentication attempts ({@code auth_cmds}, {@code auth_errors}).
 * Used by SASL PLAIN in the binary protocol and by the text protocol's {@code set}-based login.
 *
 * <p>Passwords are compared in constant time ({@link MessageDigest#isEqual}) against every
 * entry, so the time taken does not tell which user exists or how much of a password matched;
 * they are never logged. Thread-safe: {@link #reload} swaps the entries atomically while
 * connections check against them.
 */
public final class AuthFile {

    private record Entry(byte[] user, byte[] password) {
    }

    private final Path path;
    private final LongAdder authCmds = new LongAdder();
    private final LongAdder authErrors = new LongAdder();
    private volatile List<Entry> entries;

    private AuthFile(Path path, List<Entry> entries) {
        this.path = path;
        this.entries = entries;
    }

    /**
     * Reads the file.
     *
     * @param path the authentication file
     * @return its credentials
     * @throws IOException if it cannot be read, or a non-empty line has no colon (the message
     *                     names the line number, never its content)
     */
    public static AuthFile load(Path path) throws IOException {
        return new AuthFile(path, read(path));
    }

    /**
     * Reads the file again (memcached re-reads it on SIGHUP); on failure the old credentials
     * stay in force.
     *
     * @throws IOException as {@link #load}
     */
    public void reload() throws IOException {
        entries = read(path);
    }

    /** @return the file the credentials come from */
    public Path path() {
        return path;
    }

    private static List<Entry> read(Path path) throws IOException {
        List<Entry> result = new ArrayList<>();
        List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.isEmpty()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException(path + ": line " + (i + 1) + " is not user:password");
            }
            result.add(new Entry(line.substring(0, colon).getBytes(StandardCharsets.UTF_8),
                    line.substring(colon + 1).getBytes(StandardCharsets.UTF_8)));
        }
        return List.copyOf(result);
    }

    /**
     * Checks one authentication attempt and counts it (auth_cmds; auth_errors when it fails).
     *
     * @param user     the user name, bytes
     * @param password the password, bytes
     * @return whether the file holds exactly this user with exactly this password
     */
    public boolean check(byte[] user, byte[] password) {
        authCmds.increment();
        boolean ok = false;
        for (Entry e : entries) {
            ok |= MessageDigest.isEqual(e.user(), user) & MessageDigest.isEqual(e.password(), password);
        }
        if (!ok) {
            authErrors.increment();
        }
        return ok;
    }

    /** Counts an attempt that failed before any credentials could be checked (a malformed one). */
    void countFailure() {
        authCmds.increment();
        authErrors.increment();
    }

    /** @return authentication attempts since start [auth_cmds] */
    public long authCmds() {
        return authCmds.sum();
    }

    /** @return failed authentication attempts since start [auth_errors] */
    public long authErrors() {
        return authErrors.sum();
    }
}
