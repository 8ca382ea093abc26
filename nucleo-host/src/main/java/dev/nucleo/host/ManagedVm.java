package dev.nucleo.host;

import dev.nucleo.vmm.Vm;
import dev.nucleo.vmm.VmConfigException;
import dev.nucleo.vmm.VmExit;
import dev.nucleo.vmm.VmSpec;
import dev.nucleo.vmm.sched.CpuScheduler;
import java.io.IOException;
import java.nio.file.Path;
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

    private VmDefinition definition;
    private VmSpec spec;
    private final ConsoleLog console;
    private final HostMetrics metrics;
    private final CpuScheduler scheduler;
    private long cpuNanosOfEndedRuns;

    private VmState state = VmState.DEFINED;
    private String exitReason;
    private Instant started;
    private Vm vm;
    private Thread runner;
    private boolean stopRequested;

    ManagedVm(VmDefinition definition, VmSpec spec, int consoleCapacity, HostMetrics metrics, CpuScheduler scheduler) {
        this.definition = definition;
        this.spec = spec;
        this.console = new ConsoleLog(consoleCapacity);
        this.metrics = metrics;
        this.scheduler = scheduler;
    }

    synchronized VmDefinition definition() {
        return definition;
    }

    synchronized VmSpec spec() {
        return spec;
    }

    /**
     * Takes a new definition (already saved) whose CPU weight and limit may differ; a running
     * machine gets them at once, everything else applies from the next start.
     */
    synchronized void redefine(VmDefinition newDefinition, VmSpec newSpec) {
        definition = newDefinition;
        spec = newSpec;
        if (vm != null) {
            vm.setCpuWeight(newSpec.cpuShare().weight());
            vm.setCpuLimit(newSpec.cpuShare().limit());
        }
    }

    /** CPU time the VM's harts have used, over all its runs since the daemon started. */
    synchronized long cpuTimeNanos() {
        return cpuNanosOfEndedRuns + (vm != null ? vm.cpuTimeNanos() : 0);
    }

    synchronized String name() {
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
                started == null ? null : started.toString(), uptime, resident, cpuTimeNanos() / 1e9,
                console.totalBytes(), definition.config());
    }

    /** Builds the machine and starts it on a thread of its own. */
    synchronized void start() throws ApiException {
        if (state.active()) {
            throw ApiException.conflict("VM '" + name() + "' is already " + state.label());
        }
        try {
            vm = Vm.create(spec, console, scheduler);
        } catch (VmConfigException e) {
            throw SpecValidation.rejected(e);
        } catch (RuntimeException | OutOfMemoryError e) {
            throw new ApiException(500, "cannot build VM '" + name() + "': " + e);
        }
        launch();
    }

    /**
     * Builds the machine from the snapshot in {@code dir} (its memory mapped copy-on-write) and
     * runs it from where the snapshot was taken. A later start after a stop boots afresh.
     */
    synchronized void startFromSnapshot(Path dir) throws ApiException {
        if (state.active()) {
            throw ApiException.conflict("VM '" + name() + "' is already " + state.label());
        }
        try {
            vm = Vm.restore(dir, spec, console, scheduler);
        } catch (VmConfigException e) {
            throw ApiException.unprocessable(e.getMessage());
        } catch (IOException e) {
            throw new ApiException(500, "cannot read snapshot " + dir + ": " + e.getMessage());
        } catch (RuntimeException | OutOfMemoryError e) {
            throw new ApiException(500, "cannot restore VM '" + name() + "': " + e);
        }
        launch();
    }

    private void launch() {
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
                cpuNanosOfEndedRuns += current.cpuTimeNanos();
                closeQuietly(current);
                if (exit instanceof VmExit.Reset && !stopRequested) {
                    try {
                        current = Vm.create(spec, console, scheduler);
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

    /** Halts the harts (guest time stands still) until {@link #resume}. */
    synchronized void pause() throws ApiException {
        requireState(VmState.RUNNING, "pause");
        vm.pause();
        state = VmState.PAUSED;
    }

    synchronized void resume() throws ApiException {
        requireState(VmState.PAUSED, "resume");
        vm.resume();
        state = VmState.RUNNING;
    }

    /**
     * Writes a snapshot of the machine to the new directory {@code dir}; a running VM is paused
     * for the time it takes and then resumed.
     */
    synchronized void snapshot(Path dir) throws ApiException {
        if (!state.active()) {
            throw ApiException.conflict("VM '" + name() + "' is not running (it is " + state.label() + ")");
        }
        boolean wasRunning = state == VmState.RUNNING;
        vm.pause();
        try {
            vm.snapshot(dir);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw ApiException.conflict("snapshot path " + dir + " already exists");
        } catch (IOException e) {
            throw new ApiException(500, "cannot write snapshot " + dir + ": " + e.getMessage());
        } finally {
            if (wasRunning) {
                vm.resume();
            }
        }
    }

    /** Sets the balloon's target: the guest gives that much of its RAM back to the host. */
    synchronized void setBalloonTarget(long bytes) throws ApiException {
        if (!state.active()) {
            throw ApiException.conflict("VM '" + name() + "' is not running (it is " + state.label() + ")");
        }
        if (vm.balloon().isEmpty()) {
            throw ApiException.conflict("VM '" + name() + "' has no balloon device (define it with balloon: true)");
        }
        if (bytes < 0 || bytes > spec.memoryBytes()) {
            throw ApiException.unprocessable("targetBytes must be between 0 and the VM's memory (" + spec.memoryBytes()
                    + "), not " + bytes);
        }
        vm.setBalloonTarget(bytes);
    }

    private void requireState(VmState wanted, String action) throws ApiException {
        if (state != wanted) {
            throw ApiException.conflict("cannot " + action + " VM '" + name() + "': it is " + state.label()
                    + ", not " + wanted.label());
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
