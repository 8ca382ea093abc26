package dev.nucleo.cli;

import dev.nucleo.host.ConsoleAttachment;
import dev.nucleo.host.DaemonClient;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code nucleo console NAME}: attaches this terminal to a VM's serial console in the daemon.
 * On a terminal, keys go raw to the guest and Ctrl-A x detaches (the VM keeps running), as
 * in {@code nucleo run}. Otherwise stdin is typed as it comes; after its end the console stays
 * attached until the guest has been quiet for a moment, or the VM stops.
 */
@Command(name = "console", mixinStandardHelpOptions = true,
        description = "Attach to a VM's serial console (Ctrl-A x detaches; the VM keeps running).")
final class ConsoleCommand extends DaemonClientCommand {
    private static final long QUIET_MILLIS = 2000;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--replay", paramLabel = "BYTES", description = "First show the last BYTES bytes of output (default: 0).")
    long replay;

    ConsoleCommand(Stdio stdio) {
        super(stdio);
    }

    @Override
    int run(DaemonClient client) throws CliException, IOException {
        QuietClock clock = new QuietClock(stdio.out());
        ConsoleAttachment console;
        try {
            console = ConsoleAttachment.attach(client, name, replay, clock);
        } catch (ConsoleAttachment.Refused e) {
            throw new CliException(ExitStatus.REFUSED, e.getMessage() + " (HTTP " + e.status() + ")", e);
        }
        try (console) {
            if (stdio.terminal()) {
                return interactive(console);
            }
            pumpUntilEnd(console);
            while (!console.awaitClosed(100, TimeUnit.MILLISECONDS)) {
                if (clock.quietFor() > QUIET_MILLIS) {
                    break;
                }
            }
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitStatus.STOPPED;
        }
    }

    private int interactive(ConsoleAttachment console) throws IOException, InterruptedException {
        stdio.err().println("nucleo: " + EscapeFilter.HINT.replace("quit", "detach"));
        TerminalMode raw = null;
        try {
            raw = TerminalMode.raw();
        } catch (IOException e) {
            stdio.err().println("nucleo: cannot put the terminal in raw mode (" + e.getMessage() + "); keys are line-buffered");
        }
        TerminalMode rawMode = raw;
        Thread hook = new Thread(() -> {
            if (rawMode != null) {
                rawMode.close();
            }
        }, "nucleo-console-restore");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Thread input = Thread.ofVirtual().start(() -> typeWithEscapes(console));
            while (!console.awaitClosed(100, TimeUnit.MILLISECONDS) && input.isAlive()) {
                // until the user detaches or the VM stops
            }
            String reason = console.closeReason();
            if (reason != null) {
                stdio.err().print("\r\nnucleo: console closed: " + reason + "\r\n");
            }
            return 0;
        } finally {
            if (raw != null) {
                raw.close();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook restores the terminal itself
            }
        }
    }

    private void typeWithEscapes(ConsoleAttachment console) {
        EscapeFilter filter = new EscapeFilter();
        byte[] buffer = new byte[4096];
        try {
            for (int n = stdio.in().read(buffer); n >= 0; n = stdio.in().read(buffer)) {
                EscapeFilter.Result result = filter.feed(buffer, n);
                if (result.toGuest().length > 0) {
                    console.send(result.toGuest());
                }
                switch (result.action()) {
                    case QUIT -> {
                        return;
                    }
                    case HELP -> stdio.err().print("\r\nnucleo: " + EscapeFilter.HINT.replace("quit", "detach") + "\r\n");
                    case NONE -> { }
                }
            }
        } catch (IOException e) {
            Main.debug(e, stdio.err());
        }
    }

    private void pumpUntilEnd(ConsoleAttachment console) throws IOException {
        byte[] buffer = new byte[4096];
        for (int n = stdio.in().read(buffer); n >= 0; n = stdio.in().read(buffer)) {
            if (n > 0) {
                console.send(Arrays.copyOf(buffer, n));
            }
        }
    }

    /** Passes the guest's output on and remembers when it last came. */
    private static final class QuietClock extends OutputStream {
        private final OutputStream out;
        private volatile long last = System.nanoTime();

        QuietClock(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            last = System.nanoTime();
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        long quietFor() {
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - last);
        }
    }
}
