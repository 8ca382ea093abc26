package dev.nucleo.cli;

import dev.nucleo.vmm.Vm;
import dev.nucleo.vmm.VmConfigException;
import dev.nucleo.vmm.VmExit;
import dev.nucleo.vmm.VmSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs a VM with its serial console on our stdin/stdout. On a terminal, stdin goes raw so
 * every key reaches the guest, and Ctrl-A x quits; otherwise bytes are pumped as they come.
 * The terminal is restored however we leave, Ctrl-C from outside (SIGINT) included.
 */
final class ConsoleSession {
    private static final long SHUTDOWN_GRACE_SECONDS = 2;

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;

    ConsoleSession(Stdio stdio) {
        this.in = stdio.in();
        this.out = stdio.out();
        this.err = stdio.err();
        this.terminal = stdio.terminal();
    }

    /** Boots the spec and returns nucleo's exit status for how the guest ended. */
    int run(VmSpec spec) throws CliException {
        Vm vm;
        try {
            vm = Vm.create(spec, out);
        } catch (VmConfigException e) {
            throw new CliException(ExitStatus.of(e.kind()), e.getMessage(), e);
        }
        try (vm) {
            VmExit exit = attachAndRun(vm);
            String note = ExitStatus.describe(exit);
            if (note != null) {
                // On a terminal the guest's last line may be unfinished; do not append to it.
                err.println((terminal ? "\n" : "") + "nucleo: " + note);
            }
            return ExitStatus.of(exit);
        }
    }

    private VmExit attachAndRun(Vm vm) {
        TerminalMode raw = null;
        if (terminal) {
            err.println("nucleo: " + EscapeFilter.HINT);
            try {
                raw = TerminalMode.raw();
            } catch (IOException e) {
                err.println("nucleo: cannot put the terminal in raw mode (" + e.getMessage()
                        + "); keys are line-buffered and Ctrl-C stops the VM");
            }
        }
        CountDownLatch finished = new CountDownLatch(1);
        TerminalMode rawMode = raw;
        // SIGINT/SIGTERM: let the VM stop cleanly for a moment, then give the terminal back.
        Thread hook = new Thread(() -> {
            vm.stop();
            try {
                finished.await(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            if (rawMode != null) {
                rawMode.close();
            }
        }, "nucleo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Thread.ofVirtual().name("nucleo-console-input").start(() -> pumpInput(vm, rawMode != null));
            return vm.run();
        } finally {
            finished.countDown();
            if (raw != null) {
                raw.close();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is already running; it restores the terminal itself.
            }
        }
    }

    /** Copies stdin to the guest until EOF; with the escape key when on a raw terminal. */
    private void pumpInput(Vm vm, boolean escapes) {
        EscapeFilter filter = new EscapeFilter();
        byte[] buffer = new byte[4096];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                if (!escapes) {
                    if (n > 0) {
                        vm.sendConsoleInput(Arrays.copyOf(buffer, n));
                    }
                    continue;
                }
                EscapeFilter.Result result = filter.feed(buffer, n);
                if (result.toGuest().length > 0) {
                    vm.sendConsoleInput(result.toGuest());
                }
                switch (result.action()) {
                    case QUIT -> {
                        vm.stop();
                        return;
                    }
                    case HELP -> err.print("\r\nnucleo: " + EscapeFilter.HINT + "\r\n");
                    case NONE -> { }
                }
            }
        } catch (IOException | RuntimeException e) {
            // Input is gone (or the VM is); the guest keeps running on its own until it stops.
            Main.debug(e, err);
        }
    }
}
