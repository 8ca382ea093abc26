package dev.nucleo.vmm.guest;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/** Runs a host tool (apt-get, dpkg) as a subprocess and turns its failures into clear errors. */
final class HostCommand {
    private static final int TAIL_LINES = 15;

    private HostCommand() {
    }

    /** Fails with a clear message when one of the tools is not on the PATH. */
    static void requireTools(String... tools) throws GuestFetchException {
        List<String> missing = new ArrayList<>();
        for (String tool : tools) {
            if (!onPath(tool)) {
                missing.add(tool);
            }
        }
        if (!missing.isEmpty()) {
            throw new GuestFetchException("`nucleo guest fetch` needs " + String.join(", ", missing)
                    + " (Debian's apt and dpkg) on the PATH; this host does not have "
                    + (missing.size() == 1 ? "it" : "them"));
        }
    }

    private static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs the command in {@code workDir}, handing each output line (stdout and stderr merged)
     * to {@code lines}, and returns all lines; a non-zero exit becomes an exception quoting the
     * last lines of output.
     */
    static List<String> run(List<String> command, Path workDir, Consumer<String> lines)
            throws GuestFetchException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        // Plain English, untranslated output: we parse some of it.
        builder.environment().put("LC_ALL", "C");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new GuestFetchException("cannot run " + command.getFirst() + ": " + e.getMessage(), e);
        }
        List<String> all = new ArrayList<>();
        Deque<String> tail = new ArrayDeque<>();
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                all.add(line);
                tail.addLast(line);
                if (tail.size() > TAIL_LINES) {
                    tail.removeFirst();
                }
                lines.accept(line);
            }
            int status = process.waitFor();
            if (status != 0) {
                throw new GuestFetchException(String.join(" ", shortCommand(command))
                        + " failed (exit status " + status + "):\n  " + String.join("\n  ", tail));
            }
        } catch (IOException e) {
            throw new GuestFetchException("reading the output of " + command.getFirst() + " failed: "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            process.destroy();
            Thread.currentThread().interrupt();
            throw new GuestFetchException(command.getFirst() + " was interrupted", e);
        }
        return all;
    }

    /** The command without its long {@code -o} option list, for messages. */
    private static List<String> shortCommand(List<String> command) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < command.size(); i++) {
            if (command.get(i).equals("-o") && i + 1 < command.size()) {
                i++;
            } else {
                out.add(command.get(i));
            }
        }
        return out;
    }
}
