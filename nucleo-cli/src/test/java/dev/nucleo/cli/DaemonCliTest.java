package dev.nucleo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nucleo.host.Daemon;
import dev.nucleo.host.DaemonConfig;
import dev.nucleo.host.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's commands through Main.execute, against a daemon in this JVM on a temporary socket. */
class DaemonCliTest {
    @TempDir
    static Path dir;
    static Daemon daemon;
    static String host;
    static Path printer;

    @BeforeAll
    static void startDaemon() throws Exception {
        Path socket = dir.resolve("nucleo.sock");
        daemon = Daemon.start(new DaemonConfig(socket, Optional.empty(), Optional.empty(), Optional.empty(), "",
                dir.resolve("state"), 1.0));
        host = "--host=unix:" + socket;
        printer = printerFirmware(dir, "cli guest up\n");
    }

    @AfterAll
    static void stopDaemon() throws Exception {
        daemon.close();
    }

    @Test
    void lifecycleThroughTheCli() throws Exception {
        CliRun create = run("create", host, "vm1", "--firmware", printer.toString(), "--memory", "16M");
        assertEquals(0, create.status(), create.err());
        assertTrue(create.out().strip().matches("[0-9a-f]{12}"), create.out());

        CliRun ps = run("ps", host);
        List<String> lines = ps.out().lines().toList();
        assertTrue(lines.getFirst().matches("ID +NAME +STATE +CPUS +MEMORY +UPTIME"), ps.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches(create.out().strip() + " +vm1 +defined +1 +16MiB +-")), ps.out());

        assertEquals("vm1\n", run("start", host, "vm1").out());
        JsonNode vms = Json.mapper().readTree(run("ps", host, "-o", "json").out());
        assertEquals("running", vms.get(0).path("state").asText(), vms.toString());

        awaitLog("vm1", "cli guest up");
        run("start", host, "vm1").expect(ExitStatus.REFUSED, "VM 'vm1' is already running", "HTTP 409");
        assertEquals("vm1\n", run("pause", host, "vm1").out());
        run("pause", host, "vm1").expect(ExitStatus.REFUSED, "it is paused, not running", "HTTP 409");
        assertEquals("vm1\n", run("resume", host, "vm1").out());
        CliRun clone = run("clone", host, "vm1", "vm2");
        assertEquals(0, clone.status(), clone.err());
        assertEquals("running", Json.mapper().readTree(run("inspect", host, "vm2").out()).path("state").asText());
        assertEquals("vm2\n", run("stop", host, "vm2").out());
        assertEquals("vm2\n", run("rm", host, "vm2").out());
        run("rm", host, "vm1").expect(ExitStatus.REFUSED, "stop it first");

        CliRun console = runWithInput("hello\n", "console", host, "--replay", "100", "vm1");
        assertEquals(0, console.status(), console.err());
        assertEquals("cli guest up\n", console.out());

        assertEquals("vm1\n", run("stop", host, "vm1").out());
        assertEquals("stopped", Json.mapper().readTree(run("inspect", host, "vm1").out()).path("state").asText());
        assertEquals("cli guest up\n", run("logs", host, "--follow", "vm1").out()); // ends: the VM is stopped
        assertEquals("vm1\n", run("rm", host, "vm1").out());
        run("inspect", host, "vm1").expect(ExitStatus.REFUSED, "no VM named 'vm1'", "HTTP 404");
    }

    @Test
    void createChecksFilesBeforeAskingTheDaemon() {
        run("create", host, "nokernel", "--kernel", dir.resolve("missing-vmlinux").toString(), "--firmware",
                printer.toString()).expect(ExitStatus.MISSING_INPUT, "missing-vmlinux", "no such file");
        run("create", host, "zero", "--firmware", printer.toString(), "--cpus", "0")
                .expect(ExitStatus.USAGE, "--cpus must be between 1 and 32");
    }

    @Test
    void duplicateNameIsRefused() {
        assertEquals(0, run("create", host, "dup", "--firmware", printer.toString(), "--memory", "16M").status());
        run("create", host, "dup", "--firmware", printer.toString(), "--memory", "16M")
                .expect(ExitStatus.REFUSED, "a VM named 'dup' already exists", "HTTP 409");
        assertEquals("dup\n", run("rm", host, "dup").out());
    }

    @Test
    void daemonNotRunning() {
        run("ps", "--host=unix:" + dir.resolve("nobody.sock")).expect(ExitStatus.DAEMON_UNAVAILABLE,
                "cannot reach the Nucleo daemon at unix:" + dir.resolve("nobody.sock"), "no such socket",
                "is `nucleo daemon` running?");
        run("ps", "--host=ftp://x").expect(ExitStatus.USAGE, "use unix:PATH or https://HOST:PORT");
    }

    @Test
    void daemonOptionsAreChecked() {
        run("daemon", "--socket", dir.resolve("d.sock").toString(), "--listen", "tcp:127.0.0.1:0")
                .expect(ExitStatus.USAGE, "--listen needs --token-file");
        run("daemon", "--listen", "127.0.0.1:80").expect(ExitStatus.USAGE, "write tcp:HOST:PORT");
        run("daemon", "--memory-overcommit", "0").expect(ExitStatus.USAGE, "--memory-overcommit must be more than 0");
    }

    private static CliRun run(String... args) {
        return runWithInput("", args);
    }

    private static CliRun runWithInput(String input, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.execute(args, new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(List.of(args), status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void awaitLog(String vm, String text) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!run("logs", host, vm).out().contains(text)) {
            assertTrue(System.nanoTime() < deadline, vm + " never printed " + text);
            Thread.sleep(20);
        }
    }

    /** A raw RV64 firmware that prints {@code text} on the UART, then sleeps in WFI forever. */
    static Path printerFirmware(Path dir, String text) throws Exception {
        ByteBuffer code = ByteBuffer.allocate(16 + 8 * text.length()).order(ByteOrder.LITTLE_ENDIAN);
        code.putInt(0x100002b7); // lui t0, 0x10000 (the UART)
        for (char c : text.toCharArray()) {
            code.putInt((c << 20) | (6 << 7) | 0x13); // addi t1, zero, c
            code.putInt(0x00628023); // sb t1, 0(t0)
        }
        code.putInt(0x10500073); // wfi
        code.putInt(0xffdff06f); // j back to the wfi
        return Files.write(dir.resolve("printer.bin"), code.array());
    }
}
