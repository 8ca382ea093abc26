package dev.nucleo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nucleo.vmm.guest.InitramfsBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code nucleo run} with no options, as a user runs it but with stdin a pipe: the default
 * guest boots to its shell, runs a command typed on the console, and {@code poweroff -f}
 * ends nucleo with status 0.
 */
@Tag("guest")
class RunCommandEndToEndTest {
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    @Test
    void defaultGuestBootsRunsACommandAndPowersOff() throws Exception {
        CachedGuest.require();
        ConsoleCapture console = new ConsoleCapture();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PipedOutputStream keyboard = new PipedOutputStream();
        PipedInputStream stdin = new PipedInputStream(keyboard);
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> Main.execute(new String[] {"run"},
                stdin, new PrintStream(console, true), new PrintStream(err, true, StandardCharsets.UTF_8)),
                task -> Thread.ofPlatform().name("nucleo-run").daemon().start(task));
        status.whenComplete((code, failure) -> console.end("nucleo ended (status " + code + ", " + failure
                + ", stderr: " + err.toString(StandardCharsets.UTF_8).strip() + ")"));
        try {
            int at = console.await(InitramfsBuilder.READY_BANNER, 0, BOOT_TIMEOUT);
            at = console.await("# ", at, COMMAND_TIMEOUT);
            type(keyboard, "echo hi-$((6 * 7)); uname -m\n");
            at = console.await("hi-42", at, COMMAND_TIMEOUT);
            console.await("riscv64", at, COMMAND_TIMEOUT);
            type(keyboard, "poweroff -f\n");

            assertEquals(0, status.get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS), err.toString());
            assertEquals("", err.toString(StandardCharsets.UTF_8), "a clean power-off says nothing");
            assertTrue(console.text().contains("Linux version"), "the kernel's banner is on stdout");
        } finally {
            keyboard.close(); // ends the console's input pump
        }
    }

    private static void type(PipedOutputStream keyboard, String line) throws IOException {
        keyboard.write(line.getBytes(StandardCharsets.US_ASCII));
        keyboard.flush();
    }
}
