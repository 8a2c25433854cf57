package dev.mnemo.dist;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The container image without Docker: packaging/docker/install.sh, the step the Dockerfile runs,
 * run on the host into a temporary root, then the entrypoint and the health check it installs.
 */
class DockerInstallTest {

    private static final Path DOCKER = Dist.PACKAGING.resolve("docker");

    @TempDir
    Path root;
    private Path bin;

    @BeforeEach
    void install() throws Exception {
        Dist.succeed(root, Map.of(), "sh", DOCKER.resolve("install.sh").toString(), Dist.ARCHIVE.toString(), root.toString());
        bin = root.resolve("usr/local/bin");
    }

    /** The environment of a container whose PATH starts with the installed /usr/local/bin. */
    private Map<String, String> container(Path firstOnPath) {
        return Map.of("PATH", firstOnPath + ":" + bin + ":/usr/bin:/bin", "JAVA_HOME", Dist.JAVA_HOME);
    }

    @Test
    void laysOutTheImage() throws Exception {
        Path opt = root.resolve("opt/mnemo");
        assertTrue(Files.isExecutable(opt.resolve("bin/mnemo")));
        assertTrue(Files.isRegularFile(opt.resolve("conf/jvm.options")));
        assertTrue(Files.isRegularFile(opt.resolve("lib/mnemo-server-" + Dist.VERSION + ".jar")));
        assertEquals(Path.of("../../../opt/mnemo/bin/mnemo"), Files.readSymbolicLink(bin.resolve("mnemo")));
        assertTrue(Files.isExecutable(bin.resolve("mnemo")), "the link resolves inside the root");
        assertTrue(Files.isExecutable(bin.resolve("docker-entrypoint.sh")));
        assertTrue(Files.isExecutable(bin.resolve("mnemo-healthcheck")));
        assertTrue(Files.isDirectory(root.resolve("var/lib/mnemo")));
    }

    @Test
    void dockerfileRunsThisScriptAsMemcachedsImageDoes() throws Exception {
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        for (String line : new String[] {"--uid 11211", "--gid 11211", "install.sh /tmp/mnemo-*.tar.gz /",
                "ENTRYPOINT [\"docker-entrypoint.sh\"]", "USER mnemo", "EXPOSE 11211", "HEALTHCHECK ",
                "CMD [\"mnemo-healthcheck\"]", "CMD [\"mnemo\"]"}) {
            assertTrue(dockerfile.contains(line), "the Dockerfile lacks " + line);
        }
    }

    @Test
    void entrypointTakesFlagsAsMnemosArgumentsAndRunsAnyOtherCommand(@TempDir Path stubs) throws Exception {
        Path stub = Files.writeString(stubs.resolve("mnemo"), "#!/bin/sh\necho \"mnemo $*\"\n");
        assertTrue(stub.toFile().setExecutable(true));
        String entrypoint = bin.resolve("docker-entrypoint.sh").toString();

        assertEquals("mnemo -l 0.0.0.0 -m 64\n", Dist.succeed(root, container(stubs), entrypoint, "-m", "64"));
        assertEquals("mnemo -l 0.0.0.0 --memory-limit=64 -vv\n",
                Dist.succeed(root, container(stubs), entrypoint, "--memory-limit=64", "-vv"));
        assertEquals("mnemo -l 0.0.0.0 -t 2\n", Dist.succeed(root, container(stubs), entrypoint, "mnemo", "-t", "2"));
        assertEquals("mnemo -l 0.0.0.0\n", Dist.succeed(root, container(stubs), entrypoint, "mnemo"));
        assertEquals("ran sh\n", Dist.succeed(root, container(stubs), entrypoint, "sh", "-c", "echo ran sh"));
        // the real launcher through the installed link
        assertEquals("mnemo " + Dist.VERSION + "\n", Dist.succeed(root, container(bin), entrypoint, "--version"));
    }

    @Test
    @Timeout(120)
    void healthCheckPassesWhileTheServerAnswers() throws Exception {
        Path work = root.resolve("var/lib/mnemo");
        // a later -l wins over the entrypoint's -l 0.0.0.0: keep the test server on loopback
        RunningMnemo server = new RunningMnemo(work, container(bin), bin.resolve("docker-entrypoint.sh").toString(),
                "-p", "0", "-m", "16", "-t", "1", "-l", "127.0.0.1");
        String healthcheck = bin.resolve("mnemo-healthcheck").toString();
        try (server) {
            Map<String, String> env = Map.of("MNEMO_HEALTHCHECK_PORT", Integer.toString(server.port()));
            assertEquals(0, Dist.run(work, env, healthcheck).status());
            server.stop();
            assertNotEquals(0, Dist.run(work, env, healthcheck).status());
        }
    }
}
