package dev.nucleo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a guest ends becomes nucleo's exit status: bare-metal guests run as {@code --firmware}
 * that power off, reset, report a failure code through the test finisher, or crash.
 */
class BareMetalExitTest {
    @TempDir
    Path tmp;

    private CliRun runFirmware(Path guest) {
        return CliRun.of("run", "--firmware", guest.toString());
    }

    @Test
    void powerOffExitsWith0AndSaysNothing() {
        CliRun run = runFirmware(BareMetalGuests.finisher(tmp, "pass", 0x5555));
        assertEquals(0, run.status(), run.err());
        assertEquals("", run.err());
    }

    @Test
    void failureCodeBecomesTheExitStatus() {
        runFirmware(BareMetalGuests.finisher(tmp, "fail42", 0x3333 | 42 << 16))
                .expect(42, "guest reported failure (code 42)");
    }

    @Test
    void resetExitsWith72() {
        runFirmware(BareMetalGuests.finisher(tmp, "reset", 0x7777)).expect(72, "guest requested a reset");
    }

    @Test
    void jumpIntoNowhereIsAGuestCrash() {
        runFirmware(BareMetalGuests.jumpIntoNowhere(tmp))
                .expect(71, "guest crashed", "instruction fetch fault", "mtvec = 0x40000000");
    }

    @Test
    void trapHandlerThatTrapsIsAGuestCrash() {
        runFirmware(BareMetalGuests.trapStorm(tmp))
                .expect(71, "guest crashed", "illegal instruction", "M-mode trap handler itself");
    }
}
