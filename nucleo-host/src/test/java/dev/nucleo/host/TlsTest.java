package dev.nucleo.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TCP with TLS: the token is still required, and a client that does not trust the certificate gets nowhere. */
class TlsTest {
    private static final String TOKEN = "tls-test-token";

    @TempDir
    Path dir;

    @Test
    void httpsWithBearerToken() throws Exception {
        Path keystore = dir.resolve("daemon.p12");
        Path cert = dir.resolve("daemon.pem");
        keytool("-genkeypair", "-keystore", keystore.toString(), "-storepass", "changeit", "-alias", "nucleo",
                "-keyalg", "EC", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2");
        keytool("-exportcert", "-rfc", "-keystore", keystore.toString(), "-storepass", "changeit", "-alias", "nucleo",
                "-file", cert.toString());
        DaemonConfig config = new DaemonConfig(dir.resolve("nucleo.sock"),
                Optional.of(new DaemonConfig.Tcp("127.0.0.1", 0)), Optional.of(TOKEN.getBytes(StandardCharsets.UTF_8)),
                Optional.of(keystore), "changeit", dir.resolve("state"), 1.0);
        try (Daemon daemon = Daemon.start(config)) {
            String address = "https://127.0.0.1:" + daemon.server().tcpPort();
            try (DaemonClient client = DaemonClient.connect(address, Optional.of(TOKEN), Optional.of(cert));
                 DaemonClient anonymous = DaemonClient.connect(address, Optional.empty(), Optional.of(cert));
                 DaemonClient untrusting = DaemonClient.connect(address, Optional.of(TOKEN))) {
                DaemonClient.Reply reply = client.get("/v1/vms");
                assertEquals(200, reply.status(), reply.text());
                assertEquals("[]", reply.text());
                assertEquals(401, anonymous.get("/v1/vms").status());
                DaemonUnavailableException e = assertThrows(DaemonUnavailableException.class, () -> untrusting.get("/v1/vms"));
                assertTrue(e.getMessage().startsWith("cannot reach the Nucleo daemon at " + address), e.getMessage());
            }
        }
    }

    private static void keytool(String... args) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new java.util.ArrayList<>(List.of(keytool.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
    }
}
