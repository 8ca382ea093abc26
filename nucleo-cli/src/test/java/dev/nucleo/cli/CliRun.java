package dev.nucleo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One in-process run of the {@code nucleo} command line, exactly as the launcher runs it but
 * with its streams captured: the exit status and what went to stdout (the guest's console)
 * and stderr. No console input.
 */
record CliRun(List<String> args, int status, String out, String err) {

    static CliRun of(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.execute(args, InputStream.nullInputStream(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(List.of(args), status, out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Asserts the status and that stderr is exactly one {@code nucleo: } line (no stack
     * trace) containing each of {@code phrases}; returns that line.
     */
    String expect(int expectedStatus, String... phrases) {
        String context = "nucleo " + String.join(" ", args) + "\nstderr: " + err;
        assertEquals(expectedStatus, status, context);
        List<String> lines = err.lines().toList();
        assertEquals(1, lines.size(), "one line on stderr for " + context);
        String line = lines.getFirst();
        assertTrue(line.startsWith("nucleo: "), context);
        assertFalse(line.contains("Exception") || line.contains("\tat "), context);
        for (String phrase : phrases) {
            assertTrue(line.contains(phrase), "'" + phrase + "' in " + context);
        }
        return line;
    }
}
