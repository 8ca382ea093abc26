package dev.nucleo.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nucleo.vmm.guest.GuestAssets;
import dev.nucleo.vmm.guest.GuestCache;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three stock Debian guests in one daemon at once: each boots to "Nucleo guest ready" (seen
 * through the log API), answers a command typed through its attached console; one is paused
 * and resumed, one is cloned from a snapshot and the clone answers too; each is stopped
 * (one powers itself off) and deleted; a daemon restarted on the same state directory lists
 * the definitions that were kept.
 */
@Tag("guest")
@Execution(ExecutionMode.CONCURRENT)
class DaemonGuestTest {
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(6);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);
    private static final String READY = "Nucleo guest ready";
    private static final List<String> NAMES = List.of("alpha", "beta", "gamma");

    @TempDir
    Path dir;

    @Test
    void threeGuestsAtOnce() throws Exception {
        Optional<GuestAssets> found = GuestAssets.find(GuestCache.fromEnvironment());
        if (found.isEmpty() && System.getenv("CI") != null) {
            fail("the default guest is not cached; CI must run `nucleo guest fetch` first");
        }
        Assumptions.assumeTrue(found.isPresent(), "default guest not cached (run `./nucleo guest fetch`)");
        GuestAssets guest = found.get();
        Map<String, String> ids = new HashMap<>();
        try (TestDaemon daemon = TestDaemon.start(dir)) {
            DaemonClient client = daemon.client;
            for (String name : NAMES) {
                DaemonClient.Reply created = client.post("/v1/vms", Map.of("name", name, "cpus", 1,
                        "memoryBytes", 160L << 20, "firmware", guest.firmware().toString(),
                        "kernel", guest.kernel().toString(), "initrd", guest.defaultInitrd().toString()));
                assertEquals(201, created.status(), created.text());
                ids.put(name, client.json().readTree(created.body()).path("id").asText());
            }
            for (String name : NAMES) {
                DaemonClient.Reply started = client.post("/v1/vms/" + name + "/start", null);
                assertEquals(200, started.status(), started.text());
            }
            for (String name : NAMES) {
                awaitLog(client, name, READY, BOOT_TIMEOUT);
            }
            JsonNode host = client.json().readTree(client.get("/v1/host").body());
            assertEquals(3, host.path("runningVms").asInt(), host.toString());
            assertTrue(host.path("residentMemoryBytes").asLong() > 3 * (8L << 20), host.toString());

            for (String name : NAMES) {
                ByteArrayOutputStream seen = new ByteArrayOutputStream();
                try (ConsoleAttachment console = ConsoleAttachment.attach(client, name, 0, seen)) {
                    console.send(("echo nucleo-$((6 * 7))-" + name + "\n").getBytes(StandardCharsets.US_ASCII));
                    awaitOutput(seen, "nucleo-42-" + name, COMMAND_TIMEOUT);
                    if (name.equals("gamma")) {
                        console.send("poweroff -f\n".getBytes(StandardCharsets.US_ASCII));
                        assertTrue(console.awaitClosed(COMMAND_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS),
                                "the console closes when the guest powers off");
                        assertEquals("VM stopped", console.closeReason());
                    }
                }
            }
            // Pause and resume one; snapshot another and restore it as a clone that answers.
            assertEquals("paused", client.json().readTree(client.post("/v1/vms/alpha/pause", null).body())
                    .path("state").asText());
            assertEquals("running", client.json().readTree(client.post("/v1/vms/alpha/resume", null).body())
                    .path("state").asText());
            DaemonClient.Reply cloned = client.post("/v1/vms/beta/clone", Map.of("name", "beta-clone"));
            assertEquals(201, cloned.status(), cloned.text());
            for (String name : List.of("beta-clone", "alpha")) {
                ByteArrayOutputStream seen = new ByteArrayOutputStream();
                try (ConsoleAttachment console = ConsoleAttachment.attach(client, name, 0, seen)) {
                    console.send(("echo again-$((6 * 7))-" + name + "\n").getBytes(StandardCharsets.US_ASCII));
                    awaitOutput(seen, "again-42-" + name, COMMAND_TIMEOUT);
                }
            }
            assertEquals(204, client.delete("/v1/vms/beta-clone?force=true").status());

            JsonNode gamma = client.json().readTree(client.get("/v1/vms/gamma").body());
            assertEquals("stopped", gamma.path("state").asText(), gamma.toString());
            assertEquals("guest powered off", gamma.path("exitReason").asText());
            for (String name : List.of("alpha", "beta")) {
                DaemonClient.Reply stopped = client.post("/v1/vms/" + name + "/stop", null);
                assertEquals(200, stopped.status(), stopped.text());
                assertEquals("stopped", client.json().readTree(stopped.body()).path("state").asText());
            }
            assertEquals(204, client.delete("/v1/vms/gamma").status());
        }

        try (TestDaemon restarted = TestDaemon.start(dir)) {
            List<String> listed = new ArrayList<>();
            for (JsonNode vm : restarted.client.json().readTree(restarted.client.get("/v1/vms").body())) {
                listed.add(vm.path("name").asText());
                assertEquals(ids.get(vm.path("name").asText()), vm.path("id").asText(), vm.toString());
                assertEquals("defined", vm.path("state").asText(), vm.toString());
            }
            assertEquals(List.of("alpha", "beta"), listed.stream().sorted().toList());
            for (String name : listed) {
                assertEquals(204, restarted.client.delete("/v1/vms/" + name).status());
            }
        }
        try (TestDaemon empty = TestDaemon.start(dir)) {
            assertEquals("[]", empty.client.get("/v1/vms").text());
        }
    }

    private static void awaitLog(DaemonClient client, String name, String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String log = client.get("/v1/vms/" + name + "/logs").text();
            if (log.contains(text)) {
                return;
            }
            JsonNode status = client.json().readTree(client.get("/v1/vms/" + name).body());
            if (!status.path("state").asText().equals("running") || System.nanoTime() > deadline) {
                fail(name + " never printed '" + text + "' (" + status + "); its console:\n" + log);
            }
            Thread.sleep(250);
        }
    }

    private static void awaitOutput(ByteArrayOutputStream seen, String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!seen.toString(StandardCharsets.UTF_8).contains(text)) {
            if (System.nanoTime() > deadline) {
                fail("no '" + text + "' on the console; it showed:\n" + seen.toString(StandardCharsets.UTF_8));
            }
            Thread.sleep(50);
        }
    }
}
