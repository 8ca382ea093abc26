package dev.nucleo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nucleo.vmm.BalloonSpec;
import dev.nucleo.vmm.ConsoleDeviceSpec;
import dev.nucleo.vmm.RngSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code nucleo run --rng --console-device socket=PATH --balloon}: parsed into device specs. */
class DeviceOptionsTest {
    private static RunCommand parseRun(String... args) {
        CommandLine.ParseResult result = Main.commandLine(System.err).parseArgs(args);
        return (RunCommand) result.subcommand().commandSpec().userObject();
    }

    @Test
    void eachFlagAddsItsDevice() {
        RunCommand run = parseRun("run", "--balloon", "--console-device", "socket=/tmp/hvc0.sock", "--rng");
        assertEquals(List.of(new RngSpec(), new ConsoleDeviceSpec(Path.of("/tmp/hvc0.sock")), new BalloonSpec()),
                run.devices());
        assertTrue(parseRun("run").devices().isEmpty());
    }

    @Test
    void badConsoleDeviceIsAUsageError() {
        for (String value : new String[] {"/tmp/x.sock", "socket=", "file=/tmp/x"}) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = Main.commandLine(new PrintStream(err, true)).execute("run", "--console-device", value);
            assertEquals(64, status, value + ": " + err);
            assertTrue(err.toString().startsWith("nucleo: "), err.toString());
            assertFalse(err.toString().contains("\tat "), err.toString());
        }
    }
}
