package dev.nucleo.host;

import dev.nucleo.vmm.Vm;
import dev.nucleo.vmm.VmConfigException;
import dev.nucleo.vmm.VmExit;
import dev.nucleo.vmm.VmSpec;
import java.time.Duration;
import java.time.Instant;

/**
 * One VM in the daemon: its definition, its state, and while it runs the {@link Vm} and the
 * thread that owns it. Each VM has its own harts, RAM, devices and console; whatever happens
 * in one (a guest crash, an exception in Nucleo) ends only that VM, which is then marked
 * crashed with the reason.
 */
final class ManagedVm {
    private static final Duration STOP_WAIT = Duration.ofSeconds(15);

    private final VmDefinition definition;
    private final VmSpec spec;
    private final ConsoleLog console;
    private final HostMetrics metrics;

    private VmState state = VmState.DEFINED;
    private String exitReason;
    private Instant started;
    private Vm vm;
    private Thread runner;
    private boolean stopRequested;

    ManagedVm(VmDefinition definition, VmSpec spec, int consoleCapacity, HostMetrics metrics) {
        this.definition = definition;
        this.spec = spec;
        this.console = new ConsoleLog(consoleCapacity);
        this.metrics = metrics;
    }

    VmDefinition definition() {
        return definition;
    }

    String name() {
        return definition.name();
    }

    ConsoleLog console() {
        return console;
    }

    synchronized VmState state() {
        return state;
    }

    long memoryBytes() {
        return spec.memoryBytes();
    }

    /** Bytes of guest RAM the host holds for this VM (0 unless it is active). */
    synchronized long residentMemoryBytes() {
        return state.active() && vm != null ? vm.residentMemoryBytes() : 0;
    }

    /** Types on the serial console; nothing happens unless the VM is active. */
    void sendConsoleInput(byte[] bytes) {
        Vm machine;
        synchronized (this) {
            machine = state.active() ? vm : null;
        }
        if (machine != null) {
            // Outside the lock: it blocks while the guest's receive buffer is full.
            machine.sendConsoleInput(bytes);
        }
    }

    synchronized VmStatus status() {
        Long uptime = state.active() ? Duration.between(started, Instant.now()).toSeconds() : null;
        Long resident = state.active() && vm != null ? vm.residentMemoryBytes() : null;
        return new VmStatus(definition.id(), name(), state.label(), exitReason, definition.created(),
                started == null ? null : started.toString(), uptime, resident, console.totalBytes(), definition.config());
    }

    /** Builds the machine and starts it on a thread of its own. */
    synchronized void start() throws ApiException {
        if (state.active()) {
            throw ApiException.conflict("VM '" + name() + "' is already " + state.label());
        }
        try {
            vm = Vm.create(spec, console);
        } catch (VmConfigException e) {
            throw SpecValidation.rejected(e);
        } catch (RuntimeException | OutOfMemoryError e) {
            throw new ApiException(500, "cannot build VM '" + name() + "': " + e);
        }
        state = VmState.RUNNING;
        exitReason = null;
        stopRequested = false;
        started = Instant.now();
        Vm first = vm;
        runner = Thread.ofPlatform().name("vm-" + name()).daemon().start(() -> runUntilEnd(first));
        metrics.vmStarted();
    }

    /** Runs the VM; a guest reset builds a fresh machine from the same spec (a reboot). */
    private void runUntilEnd(Vm machine) {
        Vm current = machine;
        while (true) {
            VmExit exit;
            try {
                exit = current.run();
            } catch (Throwable t) { // whatever it is, it ends this VM only
                exit = new VmExit.VmmError(t.toString());
            }
            synchronized (this) {
                // Under the lock: nobody may read the machine (resident memory, console input) once it is freed.
                closeQuietly(current);
                if (exit instanceof VmExit.Reset && !stopRequested) {
                    try {
                        current = Vm.create(spec, console);
                        vm = current;
                        started = Instant.now();
                        continue;
                    } catch (VmConfigException | RuntimeException | OutOfMemoryError e) {
                        exit = new VmExit.VmmError("cannot rebuild the VM after the guest's reset: " + e.getMessage());
                    }
                }
                ended(exit);
                return;
            }
        }
    }

    private void ended(VmExit exit) {
        vm = null;
        runner = null;
        switch (exit) {
            case VmExit.PowerOff p -> finish(VmState.STOPPED, "guest powered off");
            case VmExit.Stopped s -> finish(VmState.STOPPED, "stopped from the host");
            case VmExit.Reset r -> finish(VmState.STOPPED, "stopped from the host");
            case VmExit.GuestFailure f -> finish(VmState.CRASHED, "guest reported failure (code " + f.code() + ")");
            case VmExit.GuestCrash c -> finish(VmState.CRASHED, "guest crashed: " + c.reason());
            case VmExit.VmmError e -> finish(VmState.CRASHED, "internal error in Nucleo: " + e.reason());
        }
        notifyAll();
    }

    private void finish(VmState newState, String reason) {
        state = newState;
        exitReason = reason;
        if (newState == VmState.CRASHED) {
            metrics.vmCrashed();
        }
    }

    /** Stops the VM and waits until its thread has let go of the machine. */
    void stop() throws ApiException {
        synchronized (this) {
            if (!state.active()) {
                throw ApiException.conflict("VM '" + name() + "' is not running (it is " + state.label() + ")");
            }
            stopRequested = true;
            vm.stop();
            long deadline = System.nanoTime() + STOP_WAIT.toNanos();
            while (state.active()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new ApiException(500, "VM '" + name() + "' did not stop within " + STOP_WAIT.toSeconds() + " s");
                }
                try {
                    java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ApiException(500, "interrupted while stopping VM '" + name() + "'");
                }
            }
        }
    }

    /** Stop then start, each with a fresh machine. */
    void reboot() throws ApiException {
        stop();
        start();
    }

    private static void closeQuietly(Vm machine) {
        try {
            machine.close();
        } catch (RuntimeException e) {
            System.getLogger(ManagedVm.class.getName()).log(System.Logger.Level.WARNING, "closing a VM failed", e);
        }
    }
}
