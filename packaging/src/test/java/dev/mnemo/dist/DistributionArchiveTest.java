package dev.mnemo.dist;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** mnemo-VERSION.tar.gz: what it holds, and that it runs unpacked anywhere with only a JDK. */
class DistributionArchiveTest {

    @Test
    void holdsTheLauncherJarsConfigurationUnitsAndReadme() throws Exception {
        List<String> entries = Dist.entries();
        for (String expected : List.of("bin/mnemo", "conf/jvm.options", "conf/mnemo.conf", "README.md",
                "lib/mnemo-server-" + Dist.VERSION + ".jar", "lib/mnemo-protocol-" + Dist.VERSION + ".jar",
                "lib/mnemo-store-" + Dist.VERSION + ".jar", "systemd/mnemo.service", "systemd/mnemo@.service",
                "systemd/mnemo.sysusers")) {
            assertTrue(entries.contains(expected), expected + " missing from " + entries);
        }
        assertTrue(entries.stream().anyMatch(e -> e.matches("lib/netty-transport-native-epoll-.*-linux-x86_64\\.jar")),
                entries.toString());
        assertTrue(entries.stream().noneMatch(e -> e.matches("lib/(junit|spymemcached|xmemcached|opentest4j).*")),
                "test libraries in the archive: " + entries);
    }

    @Test
    @Timeout(120)
    void runsFromAnotherDirectory(@TempDir Path unpacked, @TempDir Path elsewhere) throws Exception {
        Path home = Dist.unpack(unpacked);
        String mnemo = home.resolve("bin/mnemo").toString();
        assertTrue(Files.isExecutable(home.resolve("bin/mnemo")));
        Map<String, String> env = Map.of("JAVA_HOME", Dist.JAVA_HOME);

        assertEquals("mnemo " + Dist.VERSION + "\n", Dist.succeed(elsewhere, env, mnemo, "--version"));

        try (RunningMnemo server = new RunningMnemo(elsewhere, env, mnemo, "-p", "0", "-m", "16", "-t", "1")) {
            String version = server.version();
            assertTrue(version.matches("VERSION \\S+-mnemo-\\S+"), version);
            server.stop();
        }
    }

    @Test
    void refusesAJavaOlderThan25WithAMessage(@TempDir Path unpacked, @TempDir Path fakeJdk) throws Exception {
        Path home = Dist.unpack(unpacked);
        Files.createDirectories(fakeJdk.resolve("bin"));
        Path java = Files.writeString(fakeJdk.resolve("bin/java"), "#!/bin/sh\nexit 0\n");
        assertTrue(java.toFile().setExecutable(true));
        Files.writeString(fakeJdk.resolve("release"), "JAVA_VERSION=\"17.0.2\"\n");

        Dist.Result result = Dist.run(unpacked, Map.of("JAVA_HOME", fakeJdk.toString()),
                home.resolve("bin/mnemo").toString(), "--version");
        assertEquals(1, result.status(), result.output());
        assertTrue(result.output().contains("Mnemo needs Java 25 or newer"), result.output());
    }
}
