package dev.nucleo.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API over a real Unix socket: each kind of bad input gets its HTTP status and a JSON
 * reason, nothing is half-created, and a VM that was running before keeps running.
 */
class DaemonApiTest {
    private static final String TOKEN = "s3cret-token-for-tests";

    @TempDir
    static Path dir;
    static TestDaemon daemon;
    static DaemonClient client;
    static Path printer;

    @BeforeAll
    static void startDaemonWithARunningVm() throws Exception {
        daemon = TestDaemon.start(dir, 1.0, Optional.of(new DaemonConfig.Tcp("127.0.0.1", 0)),
                Optional.of(TOKEN.getBytes(StandardCharsets.UTF_8)));
        client = daemon.client;
        printer = TinyGuests.printer(dir, "bystander ready\n");
        assertStatus(201, client.post("/v1/vms", Map.of("name", "bystander", "firmware", printer.toString(),
                "memoryBytes", 16 << 20)));
        assertStatus(200, client.post("/v1/vms/bystander/start", null));
        awaitLog("bystander", "bystander ready");
    }

    @AfterAll
    static void stop() throws Exception {
        daemon.close();
    }

    @Test
    void socketIsOwnerOnly() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(daemon.socket)));
    }

    @Test
    void malformedJson() throws Exception {
        DaemonClient.Reply reply = client.postRaw("/v1/vms", "application/json", "{\"name\": \"x\",".getBytes());
        assertError(400, "malformed JSON", reply);
        assertUndisturbed("x");
    }

    @Test
    void unknownField() throws Exception {
        DaemonClient.Reply reply = client.post("/v1/vms", Map.of("name", "u", "firmware", printer.toString(), "cpu", 2));
        assertError(400, "unknown field 'cpu'", reply);
        assertTrue(client.reason(reply).contains("cpus"), client.reason(reply)); // the known fields are listed
        assertUndisturbed("u");
    }

    @Test
    void wrongType() throws Exception {
        assertError(400, "'cpus'", client.post("/v1/vms", Map.of("name", "t", "firmware", printer.toString(), "cpus", "two")));
        assertUndisturbed("t");
    }

    @Test
    void impossibleSpecs() throws Exception {
        assertError(422, "cpus must be between 1 and 32, not 0",
                client.post("/v1/vms", Map.of("name", "zero", "firmware", printer.toString(), "cpus", 0)));
        assertError(422, "more than this host has",
                client.post("/v1/vms", Map.of("name", "huge", "firmware", printer.toString(), "memoryBytes", 100L << 40)));
        assertError(422, "name 'bad/name' is not valid",
                client.post("/v1/vms", Map.of("name", "bad/name", "firmware", printer.toString())));
        assertError(422, "must be an absolute path",
                client.post("/v1/vms", Map.of("name", "rel", "firmware", "printer.bin")));
        assertUndisturbed("zero", "huge", "rel");
    }

    @Test
    void missingKernel() throws Exception {
        DaemonClient.Reply reply = client.post("/v1/vms", Map.of("name", "nokernel", "firmware", printer.toString(),
                "kernel", dir.resolve("no-such-vmlinux").toString()));
        assertError(422, "kernel " + dir.resolve("no-such-vmlinux") + ": no such file", reply);
        assertUndisturbed("nokernel");
    }

    @Test
    void duplicateName() throws Exception {
        DaemonClient.Reply reply = client.post("/v1/vms", Map.of("name", "bystander", "firmware", printer.toString(),
                "memoryBytes", 32 << 20));
        assertError(409, "a VM named 'bystander' already exists", reply);
        JsonNode bystander = client.json().readTree(client.get("/v1/vms/bystander").body());
        assertEquals(16 << 20, bystander.at("/config/memoryBytes").asLong()); // not overwritten
        assertUndisturbed();
    }

    @Test
    void unknownVm() throws Exception {
        assertError(404, "no VM named 'ghost'", client.get("/v1/vms/ghost"));
        assertError(404, "no VM named 'ghost'", client.post("/v1/vms/ghost/start", null));
        assertError(404, "no VM named 'ghost'", client.delete("/v1/vms/ghost"));
        assertError(404, "no such API path", client.get("/v1/nothing"));
        assertError(405, "PUT is not allowed", client.send("PUT", "/v1/vms"));
        assertUndisturbed();
    }

    @Test
    void wrongStateTransitions() throws Exception {
        assertError(409, "VM 'bystander' is already running", client.post("/v1/vms/bystander/start", null));
        assertError(409, "stop it first", client.delete("/v1/vms/bystander"));
        assertStatus(201, client.post("/v1/vms", Map.of("name", "idle", "firmware", printer.toString(), "memoryBytes", 16 << 20)));
        assertError(409, "VM 'idle' is not running (it is defined)", client.post("/v1/vms/idle/stop", null));
        assertStatus(204, client.delete("/v1/vms/idle"));
        assertUndisturbed("idle");
    }

    @Test
    void pauseResumeSnapshotRestoreAndClone() throws Exception {
        assertStatus(201, client.post("/v1/vms", Map.of("name", "origin", "firmware", printer.toString(),
                "memoryBytes", 16 << 20)));
        assertError(409, "cannot pause VM 'origin': it is defined", client.post("/v1/vms/origin/pause", null));
        assertStatus(200, client.post("/v1/vms/origin/start", null));
        awaitLog("origin", "bystander ready");
        JsonNode paused = client.json().readTree(client.post("/v1/vms/origin/pause", null).body());
        assertEquals("paused", paused.path("state").asText(), paused.toString());
        assertError(409, "it is paused, not running", client.post("/v1/vms/origin/pause", null));
        Path snap = dir.resolve("origin-snap");
        assertStatus(204, client.post("/v1/vms/origin/snapshot", Map.of("path", snap.toString())));
        assertTrue(Files.isRegularFile(snap.resolve(VmHost.SNAPSHOT_CONFIG)), "definition beside the snapshot");
        assertError(409, "already exists", client.post("/v1/vms/origin/snapshot", Map.of("path", snap.toString())));
        assertEquals("paused", client.json().readTree(client.get("/v1/vms/origin").body()).path("state").asText());
        assertEquals("running", client.json().readTree(client.post("/v1/vms/origin/resume", null).body())
                .path("state").asText());

        JsonNode copy = client.json().readTree(client.post("/v1/restore",
                Map.of("path", snap.toString(), "name", "copy")).body());
        assertEquals("running", copy.path("state").asText(), copy.toString());
        assertError(409, "a VM named 'copy' already exists",
                client.post("/v1/restore", Map.of("path", snap.toString(), "name", "copy")));
        JsonNode clone = client.json().readTree(client.post("/v1/vms/origin/clone", Map.of("name", "twin")).body());
        assertEquals("running", clone.path("state").asText(), clone.toString());
        for (String name : List.of("copy", "twin", "origin")) {
            assertStatus(204, client.delete("/v1/vms/" + name + "?force=true"));
        }
        assertUndisturbed("copy", "twin", "origin");
    }

    @Test
    void damagedSnapshotsAreRefusedAndNothingIsCreated() throws Exception {
        Path snap = dir.resolve("bystander-snap");
        assertStatus(204, client.post("/v1/vms/bystander/snapshot", Map.of("path", snap.toString())));
        assertEquals("running", client.json().readTree(client.get("/v1/vms/bystander").body()).path("state").asText(),
                "a snapshot of a running VM resumes it");

        Path flipped = copyOf(snap, "flipped");
        byte[] state = Files.readAllBytes(flipped.resolve("vm.state"));
        state[state.length / 2] ^= 0x40;
        Files.write(flipped.resolve("vm.state"), state);
        assertError(422, "", client.post("/v1/restore", Map.of("path", flipped.toString(), "name", "flipped")));

        Path truncated = copyOf(snap, "truncated");
        try (var channel = java.nio.channels.FileChannel.open(truncated.resolve("memory.raw"),
                java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() / 2);
        }
        assertError(422, "", client.post("/v1/restore", Map.of("path", truncated.toString(), "name", "truncated")));
        assertError(422, "", client.post("/v1/restore", Map.of("path", dir.resolve("nowhere").toString(),
                "name", "nowhere")));
        assertUndisturbed("flipped", "truncated", "nowhere");
    }

    private static Path copyOf(Path snapshot, String name) throws Exception {
        Path copy = dir.resolve(name);
        Files.createDirectory(copy);
        try (Stream<Path> files = Files.list(snapshot)) {
            for (Path file : files.toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        return copy;
    }

    @Test
    void cpuShareAndBalloonThroughTheApi() throws Exception {
        JsonNode changed = client.json().readTree(client.send("PATCH", "/v1/vms/bystander/cpu",
                Map.of("weight", 300, "limit", 0.5)).body());
        assertEquals(300, changed.at("/config/cpuWeight").asInt(), changed.toString());
        assertEquals(0.5, changed.at("/config/cpuLimit").asDouble(), changed.toString());
        assertError(422, "CPU weight must be between", client.send("PATCH", "/v1/vms/bystander/cpu",
                Map.of("weight", 0)));
        assertEquals(300, client.json().readTree(client.get("/v1/vms/bystander").body()).at("/config/cpuWeight").asInt(),
                "a refused change changes nothing");
        assertStatus(200, client.send("PATCH", "/v1/vms/bystander/cpu", Map.of("weight", 100, "limit", 0)));
        assertError(409, "has no balloon device", client.send("PUT", "/v1/vms/bystander/balloon",
                Map.of("targetBytes", 1 << 20)));
        assertError(422, "targetBytes is required", client.send("PUT", "/v1/vms/bystander/balloon", Map.of()));
        assertUndisturbed();
    }

    @Test
    void unauthorizedTcpClient() throws Exception {
        String address = "http://127.0.0.1:" + daemon.daemon.server().tcpPort();
        try (DaemonClient anonymous = DaemonClient.connect(address, Optional.empty());
             DaemonClient wrong = DaemonClient.connect(address, Optional.of("guess"));
             DaemonClient right = DaemonClient.connect(address, Optional.of(TOKEN))) {
            assertError(401, "authentication required", anonymous.get("/v1/vms"));
            assertError(401, "authentication required", anonymous.post("/v1/vms",
                    Map.of("name", "intruder", "firmware", printer.toString())));
            assertError(401, "wrong bearer token", wrong.post("/v1/vms/bystander/stop", null));
            assertStatus(200, right.get("/v1/vms/bystander"));
        }
        assertUndisturbed("intruder");
    }

    @Test
    void crashedVmIsMarkedAndOthersRunOn() throws Exception {
        Path crasher = TinyGuests.crasher(dir);
        assertStatus(201, client.post("/v1/vms", Map.of("name", "crasher", "firmware", crasher.toString(), "memoryBytes", 16 << 20)));
        assertStatus(200, client.post("/v1/vms/crasher/start", null));
        JsonNode status = awaitState("crasher", "crashed");
        assertTrue(status.path("exitReason").asText().startsWith("guest crashed"), status.toString());
        assertStatus(204, client.delete("/v1/vms/crasher"));
        assertUndisturbed("crasher");
    }

    @Test
    void logsAndConsoleAttach() throws Exception {
        String log = client.get("/v1/vms/bystander/logs").text();
        assertEquals("bystander ready\n", log);
        assertEquals("ready\n", client.get("/v1/vms/bystander/logs?tail=6").text());
        assertError(400, "tail must be a number", client.get("/v1/vms/bystander/logs?tail=-1"));
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        try (ConsoleAttachment console = ConsoleAttachment.attach(client, "bystander", 1024, seen)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!seen.toString().contains("bystander ready") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals("bystander ready\n", seen.toString());
            console.send("typed".getBytes()); // the tiny guest never reads it; it must not hurt
        }
        assertEquals(200, client.get("/v1/host").status());
        try (ConsoleAttachment again = ConsoleAttachment.attach(client, "bystander", 1024, new ByteArrayOutputStream())) {
            again.send("x".getBytes());
        }
        ConsoleAttachment.Refused refused = org.junit.jupiter.api.Assertions.assertThrows(ConsoleAttachment.Refused.class,
                () -> ConsoleAttachment.attach(client, "ghost", 0, seen));
        assertEquals(404, refused.status());
        assertTrue(refused.getMessage().contains("no VM named 'ghost'"), refused.getMessage());
        assertUndisturbed();
    }

    @Test
    void hostUsageAndMetrics() throws Exception {
        JsonNode host = client.json().readTree(client.get("/v1/host").body());
        assertTrue(host.path("hostCpus").asInt() >= 1);
        assertTrue(host.path("committedMemoryBytes").asLong() >= 16 << 20, host.toString());
        assertTrue(host.path("residentMemoryBytes").asLong() > 0, host.toString());
        String metrics = client.get("/metrics").text();
        assertTrue(metrics.contains("nucleo_vm_up{id=\""), metrics);
        assertTrue(metrics.contains("vm=\"bystander\""), metrics);
        assertTrue(metrics.contains("nucleo_host_memory_limit_bytes"), metrics);
    }

    static void assertStatus(int status, DaemonClient.Reply reply) {
        assertEquals(status, reply.status(), reply.text());
    }

    static void assertError(int status, String reasonPart, DaemonClient.Reply reply) throws Exception {
        assertEquals(status, reply.status(), reply.text());
        JsonNode body = client.json().readTree(reply.body());
        assertEquals(status, body.path("status").asInt(), reply.text());
        assertTrue(body.path("error").asText().contains(reasonPart), "reason: " + reply.text());
    }

    /** The bystander still runs and answers, and none of {@code absent} was left behind. */
    static void assertUndisturbed(String... absent) throws Exception {
        JsonNode bystander = client.json().readTree(client.get("/v1/vms/bystander").body());
        assertEquals("running", bystander.path("state").asText(), bystander.toString());
        assertTrue(client.get("/v1/vms/bystander/logs").text().contains("bystander ready"));
        for (String name : absent) {
            assertEquals(404, client.get("/v1/vms/" + name).status(), name + " was created");
        }
        try (Stream<Path> files = Files.list(dir.resolve("state"))) {
            List<String> names = files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList();
            assertTrue(names.stream().allMatch(n -> n.endsWith(".json") && !n.startsWith(".tmp")), names.toString());
        }
    }

    static void awaitLog(String vm, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!client.get("/v1/vms/" + vm + "/logs").text().contains(text)) {
            assertTrue(System.nanoTime() < deadline, vm + " never printed " + text);
            Thread.sleep(20);
        }
    }

    static JsonNode awaitState(String vm, String state) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            JsonNode status = client.json().readTree(client.get("/v1/vms/" + vm).body());
            if (status.path("state").asText().equals(state)) {
                return status;
            }
            assertTrue(System.nanoTime() < deadline, vm + " never became " + state + ": " + status);
            Thread.sleep(20);
        }
    }
}
