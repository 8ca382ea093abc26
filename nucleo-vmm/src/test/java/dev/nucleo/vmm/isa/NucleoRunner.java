package dev.nucleo.vmm.isa;

import static org.junit.jupiter.api.Assertions.fail;

import dev.nucleo.cpu.Engine;
import dev.nucleo.vmm.Vm;
import dev.nucleo.vmm.VmConfigException;
import dev.nucleo.vmm.VmExit;
import dev.nucleo.vmm.VmSpec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a bare-metal ELF on Nucleo: the ELF is the firmware (entered in M-mode at its entry
 * point), one hart, the default memory. The run happens on its own thread; after the
 * timeout the VM is asked to stop.
 */
final class NucleoRunner {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    /** What a run produced. {@code timedOut} means the VM had to be stopped from outside. */
    record Result(VmExit exit, String output, Duration elapsed, boolean timedOut) {
    }

    private NucleoRunner() {
    }

    static Result run(Path elf) {
        return run(elf, DEFAULT_TIMEOUT);
    }

    static Result run(Path elf, Duration timeout) {
        return run(elf, timeout, null);
    }

    /** With engine null, the harts use the engine Vm picks (NUCLEO_ENGINE, else the interpreter). */
    static Result run(Path elf, Duration timeout, Engine engine) {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        VmSpec spec = new VmSpec(Optional.of(elf), Optional.empty(), Optional.empty(),
                VmSpec.DEFAULT_CMDLINE, VmSpec.DEFAULT_MEMORY, 1);
        long start = System.nanoTime();
        Vm vm;
        try {
            vm = Vm.create(spec, console);
        } catch (VmConfigException e) {
            return fail("Nucleo refused " + elf + " (" + e.kind() + "): " + e.getMessage());
        }
        if (engine != null) {
            vm.hart(0).setEngine(engine);
        }
        try (vm) {
            CompletableFuture<VmExit> done = new CompletableFuture<>();
            Thread runner = Thread.ofPlatform().name("isa-" + elf.getFileName()).daemon(true).start(() -> {
                try {
                    done.complete(vm.run());
                } catch (Throwable t) {
                    done.completeExceptionally(t);
                }
            });
            boolean timedOut = false;
            VmExit exit;
            try {
                exit = done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                timedOut = true;
                vm.stop();
                try {
                    exit = done.get(10, TimeUnit.SECONDS);
                } catch (TimeoutException again) {
                    runner.interrupt();
                    return fail("Nucleo did not stop within 10 s of vm.stop() after a " + timeout.toSeconds()
                            + " s timeout running " + elf.getFileName() + "; output so far:\n" + text(console));
                }
            }
            return new Result(exit, text(console), Duration.ofNanos(System.nanoTime() - start), timedOut);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("Vm.run failed", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String text(ByteArrayOutputStream console) {
        return console.toString(StandardCharsets.ISO_8859_1);
    }
}
