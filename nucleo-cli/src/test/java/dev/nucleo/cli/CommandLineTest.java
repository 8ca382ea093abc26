package dev.nucleo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line as users type it; nothing here boots or fetches a guest. */
class CommandLineTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    private int execute(String... args) {
        return Main.commandLine(new PrintStream(errBytes, true)).execute(args);
    }

    private String err() {
        return errBytes.toString();
    }

    private static RunCommand parseRun(String... args) {
        CommandLine cli = Main.commandLine(System.err);
        CommandLine.ParseResult result = cli.parseArgs(args);
        return (RunCommand) result.subcommand().commandSpec().userObject();
    }

    @Test
    void runOptions() {
        RunCommand run = parseRun("run", "--firmware", "fw.bin", "--kernel", "Image", "--initrd", "rd.gz",
                "--cmdline", "console=ttyS0 quiet", "--memory", "1G", "--cpus", "2");
        SpecResolver.GuestOptions o = run.options();
        assertEquals(Optional.of(Path.of("fw.bin")), o.firmware());
        assertEquals(Optional.of(Path.of("Image")), o.kernel());
        assertEquals(Optional.of(Path.of("rd.gz")), o.initrd());
        assertEquals(Optional.of("console=ttyS0 quiet"), o.cmdline());
        assertEquals(1L << 30, o.memoryBytes());
        assertEquals(2, o.cpus());
    }

    @Test
    void runDefaults() {
        SpecResolver.GuestOptions o = parseRun("run").options();
        assertEquals(Optional.empty(), o.firmware());
        assertEquals(Optional.empty(), o.kernel());
        assertEquals(Optional.empty(), o.cmdline());
        assertEquals(256L << 20, o.memoryBytes());
        assertEquals(1, o.cpus());
        assertEquals(512L << 20, parseRun("run", "--memory=512MiB").options().memoryBytes());
    }

    @Test
    void usageErrorsExitWith64AndNoStackTrace() {
        for (String[] args : new String[][] {
                {"run", "--memory", "lots"}, {"run", "--cpus", "two"}, {"run", "--bogus"}, {"run", "extra"},
                {"run", "--memory"}, {}, {"guest"}, {"guest", "frobnicate"}, {"nonsense"}}) {
            errBytes.reset();
            assertEquals(64, execute(args), String.join(" ", args) + ": " + err());
            assertFalse(err().contains("\tat "), err());
            assertTrue(err().startsWith("nucleo: "), err());
        }
    }

    @Test
    void badValuesCaughtBeforeBootingAreUsageErrors() {
        assertEquals(64, execute("run", "--cpus", "0"));
        assertTrue(err().contains("--cpus"), err());
    }

    @Test
    void aMissingInputFileExitsWith66() {
        assertEquals(66, execute("run", "--kernel", tmp.resolve("no-such-Image").toString()));
        assertTrue(err().contains("no-such-Image"), err());
        assertFalse(err().contains("\tat "), err());
    }

    @Test
    void runHelpDocumentsTheExitStatuses() {
        CommandLine cli = Main.commandLine(System.err);
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        assertEquals(0, cli.execute("run", "--help"));
        String help = out.toString();
        for (String expected : new String[] {"Exit status:", "64", "65", "66", "70", "71", "72", "130",
                "Ctrl-A x", "--memory=SIZE", "--cpus=N", "--firmware=FILE", "--kernel=FILE", "--initrd=FILE",
                "--cmdline=STR"}) {
            assertTrue(help.contains(expected), expected + " in:\n" + help);
        }
    }

    @Test
    void internalErrorsAreOneLine() {
        int status = Main.report(new IllegalStateException("boom"), new PrintStream(errBytes, true));
        assertEquals(70, status);
        assertEquals(1, err().strip().lines().count(), err());
        assertTrue(err().contains("boom"));
    }
}
