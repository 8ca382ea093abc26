package dev.nucleo.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Memory admission control on start, and VM definitions on disk across daemon restarts. */
class AdmissionAndPersistenceTest {
    @TempDir
    Path dir;

    @Test
    void startBeyondHostMemoryTimesRatioIsRefused() throws Exception {
        long hostMemory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        double ratio = (24.0 * (1 << 20)) / hostMemory; // room for one 16 MiB VM, not two
        Path printer = TinyGuests.printer(dir, "up\n");
        try (TestDaemon daemon = TestDaemon.start(dir, ratio, Optional.empty(), Optional.empty())) {
            DaemonClient client = daemon.client;
            for (String name : List.of("a", "b")) {
                assertEquals(201, client.post("/v1/vms", Map.of("name", name, "firmware", printer.toString(),
                        "memoryBytes", 16 << 20)).status());
            }
            assertEquals(200, client.post("/v1/vms/a/start", null).status());
            DaemonClient.Reply refused = client.post("/v1/vms/b/start", null);
            assertEquals(507, refused.status(), refused.text());
            assertTrue(client.reason(refused).contains("not enough host memory to start VM 'b': it needs 16 MiB,"
                    + " the running VMs have 16 MiB"), refused.text());
            assertEquals("defined", state(client, "b"));
            assertEquals("running", state(client, "a"));
            JsonNode host = client.json().readTree(client.get("/v1/host").body());
            assertEquals(16 << 20, host.path("committedMemoryBytes").asLong());

            assertEquals(200, client.post("/v1/vms/a/stop", null).status());
            assertEquals(200, client.post("/v1/vms/b/start", null).status());
            assertEquals("running", state(client, "b"));
        }
    }

    @Test
    void definitionsSurviveRestartsAndBadFilesAreSkipped() throws Exception {
        Path printer = TinyGuests.printer(dir, "up\n");
        String id;
        try (TestDaemon daemon = TestDaemon.start(dir)) {
            DaemonClient.Reply created = daemon.client.post("/v1/vms", Map.of("name", "keep", "firmware",
                    printer.toString(), "memoryBytes", 16 << 20, "cmdline", "console=ttyS0 quiet", "rng", true,
                    "disks", List.of()));
            assertEquals(201, created.status(), created.text());
            id = daemon.client.json().readTree(created.body()).path("id").asText();
            assertEquals(200, daemon.client.post("/v1/vms/keep/start", null).status());
        }
        Path state = dir.resolve("state");
        assertEquals(List.of(id + ".json"), files(state));
        Files.writeString(state.resolve("truncated.json"), "{\"id\": \"trunc");
        Files.writeString(state.resolve(".tmp-" + id + ".json"), "{ half a write"); // a crash mid-save
        try (TestDaemon daemon = TestDaemon.start(dir)) {
            JsonNode vms = daemon.client.json().readTree(daemon.client.get("/v1/vms").body());
            assertEquals(1, vms.size(), vms.toString());
            JsonNode keep = vms.get(0);
            assertEquals(id, keep.path("id").asText());
            assertEquals("defined", keep.path("state").asText());
            assertEquals("console=ttyS0 quiet", keep.at("/config/cmdline").asText());
            assertTrue(keep.at("/config/rng").asBoolean());
            List<String> problems = daemon.daemon.host().loadProblems();
            assertEquals(1, problems.size(), problems.toString());
            assertTrue(problems.getFirst().contains("truncated.json"), problems.toString());
            assertEquals(200, daemon.client.post("/v1/vms/" + id + "/start", null).status()); // by id
        }
    }

    private static String state(DaemonClient client, String name) throws Exception {
        return client.json().readTree(client.get("/v1/vms/" + name).body()).path("state").asText();
    }

    private static List<String> files(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
