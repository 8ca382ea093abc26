package dev.nucleo.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Puts the terminal on our stdin in raw mode (no line editing, no echo, no signals from
 * Ctrl-C/Ctrl-Z: every key goes to the guest) with {@code stty}, and puts the saved
 * settings back on close. Closing twice (normal exit and shutdown hook) is harmless.
 */
final class TerminalMode implements AutoCloseable {
    private final String saved;
    private final AtomicBoolean restored = new AtomicBoolean();

    private TerminalMode(String saved) {
        this.saved = saved;
    }

    /** Saves the current settings ({@code stty -g}) and switches to {@code raw -echo}. */
    static TerminalMode raw() throws IOException {
        String saved = stty("-g").strip();
        stty("raw", "-echo");
        return new TerminalMode(saved);
    }

    @Override
    public void close() {
        if (restored.compareAndSet(false, true)) {
            try {
                stty(saved);
            } catch (IOException e) {
                System.err.println("nucleo: could not restore the terminal (" + e.getMessage() + "); run `stty sane`");
            }
        }
    }

    /** Runs stty on the terminal that is our stdin; returns what it printed. */
    private static String stty(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("stty"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (process.waitFor() != 0) {
                throw new IOException("stty " + String.join(" ", args) + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running stty", e);
        }
        return out;
    }
}
