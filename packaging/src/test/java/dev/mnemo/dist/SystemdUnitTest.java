package dev.mnemo.dist;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** packaging/systemd: memcached's hardening minus MemoryDenyWriteExecute, and systemd-analyze verify. */
class SystemdUnitTest {

    private static final Path SYSTEMD = Dist.PACKAGING.resolve("systemd");

    /** Debian's memcached.service settings that Mnemo keeps (CapabilityBoundingSet is emptied instead). */
    private static final List<String> HARDENING = List.of("PrivateTmp=true", "ProtectSystem=full",
            "NoNewPrivileges=true", "PrivateDevices=true", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
            "ProtectKernelModules=true", "ProtectKernelTunables=true", "ProtectControlGroups=true",
            "RestrictRealtime=true", "RestrictNamespaces=true", "CapabilityBoundingSet=\n");

    @ParameterizedTest
    @ValueSource(strings = {"mnemo.service", "mnemo@.service"})
    void hardenedAsMemcachedButTheJitMayWriteCode(String unit) throws Exception {
        String text = Files.readString(SYSTEMD.resolve(unit));
        for (String setting : HARDENING) {
            assertTrue(text.contains("\n" + setting), unit + " lacks " + setting.strip());
        }
        assertFalse(text.contains("\nMemoryDenyWriteExecute"), unit);
        assertTrue(text.contains("\nExecStart=/opt/mnemo/bin/mnemo $MNEMO_OPTS\n"), unit);
        assertFalse(text.contains("SuccessExitStatus"), unit + ": mnemo exits 0 after the clean stop SIGTERM asks for");
        assertTrue(text.contains("\nUser=mnemo\n"), unit);
    }

    @Test
    void readFlagsFromEtcMnemo() throws Exception {
        assertTrue(Files.readString(SYSTEMD.resolve("mnemo.service")).contains("\nEnvironmentFile=-/etc/mnemo/mnemo.conf\n"));
        assertTrue(Files.readString(SYSTEMD.resolve("mnemo@.service")).contains("\nEnvironmentFile=/etc/mnemo/%i.conf\n"));
        assertTrue(Files.readString(Dist.PACKAGING.resolve("conf/mnemo.conf")).contains("\nMNEMO_OPTS=\""));
    }

    /**
     * The units pass systemd-analyze verify, silently. Verify checks that ExecStart's program
     * exists, so the archive is installed into a temporary root and the units' /opt/mnemo/ is
     * pointed there (--root would also need every target the units reach under that root).
     */
    @Test
    void passSystemdAnalyzeVerify(@TempDir Path root, @TempDir Path units) throws Exception {
        assumeTrue(onPath("systemd-analyze"), "systemd-analyze is not installed");
        Dist.succeed(root, Map.of(), "sh", Dist.PACKAGING.resolve("docker/install.sh").toString(),
                Dist.ARCHIVE.toString(), root.toString());
        for (String unit : List.of("mnemo.service", "mnemo@.service")) {
            Files.writeString(units.resolve(unit), Files.readString(SYSTEMD.resolve(unit))
                    .replace("/opt/mnemo/", root.resolve("opt/mnemo") + "/"));
        }

        Dist.Result result = Dist.run(units, Map.of("SYSTEMD_LOG_LEVEL", "notice"), "systemd-analyze", "verify",
                "--man=no", units.resolve("mnemo.service").toString(), units.resolve("mnemo@test.service").toString());
        assertEquals(0, result.status(), result.output());
        assertEquals("", result.output(), "systemd-analyze warned");
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
