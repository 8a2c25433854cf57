package dev.mnemo.protocol;

import java.util.ArrayList;
import java.util.List;

/** A {@link ServerContext} test double: fixed counters, recorded verbosity, shutdown and reset calls. */
public final class TestServer implements ServerContext {

    Settings settings;
    AuthFile authFile;
    int verbosity;
    int shutdowns;
    int resets;
    final List<ConnectionInfo> connections = new ArrayList<>();
    final KeyPrefixStats prefixStats = new KeyPrefixStats();
    final WatchLog watchLog = new WatchLog();

    public TestServer(Settings settings) {
        this.settings = settings;
    }

    /** @return 64 MiB, 1024 connections, port 11211, 4 threads, 1 MiB items, CAS on, shutdown off */
    static Settings defaultSettings() {
        return new Settings(64L << 20, 1024, 11211, 0, "127.0.0.1", 4, 1 << 20, true, false);
    }

    @Override public Settings settings() { return settings; }
    @Override public long uptimeSeconds() { return 42; }
    @Override public long currentConnections() { return 3; }
    @Override public long totalConnections() { return 7; }
    @Override public long rejectedConnections() { return 1; }
    @Override public long bytesRead() { return 1000; }
    @Override public long bytesWritten() { return 2000; }
    @Override public long connectionsThrottled() { return 5; }
    @Override public int verbosity() { return verbosity; }
    @Override public void setVerbosity(int level) { verbosity = level; }
    @Override public void shutdown() { shutdowns++; }
    @Override public void resetStats() { resets++; }
    @Override public AuthFile authFile() { return authFile; }
    @Override public KeyPrefixStats prefixStats() { return prefixStats; }
    @Override public WatchLog watchLog() { return watchLog; }
    @Override public List<ConnectionInfo> connections() { return List.copyOf(connections); }
}
