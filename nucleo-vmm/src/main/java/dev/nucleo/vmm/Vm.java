package dev.nucleo.vmm;

import dev.nucleo.cpu.Engine;
import dev.nucleo.cpu.Hart;
import dev.nucleo.machine.BoardConfig;
import dev.nucleo.machine.BoardDeviceTree;
import dev.nucleo.machine.ImageException;
import dev.nucleo.machine.ImageLoader;
import dev.nucleo.machine.PowerControl;
import dev.nucleo.machine.VirtBoard;
import dev.nucleo.virtio.IoLimits;
import dev.nucleo.virtio.VirtioBalloon;
import dev.nucleo.virtio.VirtioBlk;
import dev.nucleo.virtio.VirtioMmioTransport;
import dev.nucleo.vmm.sched.CpuGroup;
import dev.nucleo.vmm.sched.CpuScheduler;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One virtual machine: a {@link VirtBoard} with its harts, built from a {@link VmSpec}.
 *
 * <p>Boot follows the virt platform's convention: every hart starts at the firmware's entry
 * in M-mode with a0 = its hart id and a1 = the device tree's address. Each hart runs on its
 * own platform thread; the first event that ends the VM (power off, reset, failure report,
 * a crash, {@link #stop}) wins and stops all of them.
 */
public final class Vm implements AutoCloseable {
    private final VirtBoard board;
    private final Hart[] harts;
    private final VirtioSlots devices;
    private final AtomicReference<VmExit> exit = new AtomicReference<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final CpuGroup cpuGroup;      // null: the harts run whenever the host OS schedules them
    private final HartCpuTime cpuTime;

    private Vm(VirtBoard board, Hart[] harts, VirtioSlots devices, CpuGroup cpuGroup) {
        this.board = board;
        this.harts = harts;
        this.devices = devices;
        this.cpuGroup = cpuGroup;
        this.cpuTime = new HartCpuTime(harts.length);
    }

    /** Builds the machine; checks every user input and fails with a clear message. */
    public static Vm create(VmSpec spec, OutputStream consoleOut) throws VmConfigException {
        return create(spec, consoleOut, null);
    }

    /**
     * Builds the machine with its harts on {@code scheduler} (null: none), which shares the
     * host's CPU among the VMs on it by their {@link VmSpec#cpuShare}.
     */
    public static Vm create(VmSpec spec, OutputStream consoleOut, CpuScheduler scheduler) throws VmConfigException {
        SpecCheck.validate(spec);
        ExitRelay relay = new ExitRelay();
        VirtBoard board = new VirtBoard(spec.cpus(), spec.memoryBytes(), consoleOut, relay);
        VirtioSlots devices = new VirtioSlots(board);
        try {
            attachDisks(devices, spec.disks());
            for (DeviceSpec device : spec.devices()) {
                devices.attach(VirtioDevices.create(device, board));
            }
            BootLayout layout = load(board, spec);
            Engine engine = configuredEngine();
            Hart[] harts = new Hart[spec.cpus()];
            for (int id = 0; id < harts.length; id++) {
                Hart hart = new Hart(id, board.ram().segment(), board.ram().base(), board.bus(), board.clint());
                hart.setEngine(engine);
                board.connectHart(id, hart::setInterruptLine);
                hart.setPc(layout.entry());
                hart.setRegister(10, id);
                hart.setRegister(11, layout.fdt());
                harts[id] = hart;
            }
            CpuGroup cpuGroup = scheduler == null ? null : joinScheduler(scheduler, spec.cpuShare(), harts);
            Vm vm = new Vm(board, harts, devices, cpuGroup);
            relay.vm = vm;
            return vm;
        } catch (ImageException e) {
            closeAll(devices, board);
            throw new VmConfigException(VmConfigException.Kind.BAD_IMAGE, e.getMessage());
        } catch (VmConfigException | RuntimeException | Error e) {
            closeAll(devices, board);
            throw e;
        }
    }

    /**
     * The execution engine for the harts: system property {@code nucleo.engine}, else the
     * environment variable {@code NUCLEO_ENGINE} ("interpreter" or "translator"), else
     * {@link Engine#DEFAULT} (the translator).
     */
    private static Engine configuredEngine() throws VmConfigException {
        String name = System.getProperty("nucleo.engine", System.getenv("NUCLEO_ENGINE"));
        try {
            return Engine.parse(name);
        } catch (IllegalArgumentException e) {
            throw new VmConfigException(VmConfigException.Kind.USAGE, "NUCLEO_ENGINE: " + e.getMessage());
        }
    }

    private static CpuGroup joinScheduler(CpuScheduler scheduler, CpuShare share, Hart[] harts) {
        CpuGroup group = scheduler.join("vm", share.weight(), share.limit());
        for (Hart hart : harts) {
            hart.setGovernor(group.governor(hart::stopRequested));
        }
        return group;
    }

    /** One virtio-blk per disk, in the order given (the first is /dev/vda). */
    private static void attachDisks(VirtioSlots slots, List<DiskSpec> disks) throws VmConfigException {
        for (DiskSpec disk : disks) {
            try {
                slots.attach(VirtioBlk.open(disk.file(), disk.readOnly(),
                        new IoLimits(disk.iops(), disk.bytesPerSecond())));
            } catch (IOException e) {
                throw new VmConfigException(VmConfigException.Kind.MISSING_FILE,
                        "cannot open disk " + disk.file() + ": " + e.getMessage());
            }
        }
    }

    private static void closeAll(VirtioSlots devices, VirtBoard board) {
        devices.close();
        board.close();
    }

    private record BootLayout(long entry, long fdt) {
    }

    private static BootLayout load(VirtBoard board, VmSpec spec) throws ImageException {
        long entry = ImageLoader.loadFirmware(board.ram(), spec.firmware().orElseThrow());
        BoardConfig config = board.config(spec.cmdline());
        if (spec.kernel().isPresent()) {
            ImageLoader.KernelImage kernel = ImageLoader.loadKernel(board.ram(), spec.kernel().get());
            if (spec.initrd().isPresent()) {
                BoardConfig.Initrd initrd = ImageLoader.loadInitrd(board.ram(), spec.initrd().get(), kernel.end());
                config = config.withInitrd(initrd.start(), initrd.end());
            }
        }
        long fdt = ImageLoader.loadFdt(board.ram(), BoardDeviceTree.build(config));
        return new BootLayout(entry, fdt);
    }

    /** Runs the guest until it stops; the harts run on their own threads. */
    public VmExit run() {
        Thread[] threads = new Thread[harts.length];
        for (int id = 0; id < harts.length; id++) {
            Hart hart = harts[id];
            int hartId = id;
            threads[id] = Thread.ofPlatform().name("hart-" + id).daemon().unstarted(() -> {
                try {
                    runHart(hart);
                } finally {
                    cpuTime.ending(hartId);
                }
            });
            cpuTime.started(id, threads[id]);
            threads[id].start();
        }
        try {
            ended.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finish(new VmExit.Stopped());
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return exit.get();
    }

    private void runHart(Hart hart) {
        try {
            hart.run();
            if (hart.crashReason() != null) {
                finish(new VmExit.GuestCrash(hart.crashReason()));
            }
        } catch (RuntimeException | StackOverflowError e) {
            // A bug in Nucleo must not take the host process down with it; the VM ends instead.
            finish(new VmExit.VmmError(String.format("hart at pc 0x%x: %s", hart.pc(), e)));
            System.getLogger(Vm.class.getName()).log(System.Logger.Level.ERROR, "hart failed", e);
        }
    }

    /** Records why the VM ends (the first reason wins) and stops every hart. */
    private void finish(VmExit reason) {
        if (exit.compareAndSet(null, reason)) {
            for (Hart hart : harts) {
                hart.requestStop();
            }
            ended.countDown();
        }
    }

    /** Types bytes on the serial console; blocks while the guest's receive buffer is full. */
    public void sendConsoleInput(byte[] data) {
        try {
            board.uart().receive(data);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The VM's memory balloon, if its spec asked for one ({@link BalloonSpec}). */
    public Optional<VirtioBalloon> balloon() {
        return devices.transports().stream().map(VirtioMmioTransport::device)
                .filter(VirtioBalloon.class::isInstance).map(VirtioBalloon.class::cast).findFirst();
    }

    /**
     * Asks the guest to give {@code bytes} of its RAM to the balloon (0 gives it all back); the
     * guest's answer shows in {@code balloon().actualBytes()}. Thread-safe.
     *
     * @throws IllegalStateException if the VM has no balloon
     */
    public void setBalloonTarget(long bytes) {
        balloon().orElseThrow(() -> new IllegalStateException("this VM has no balloon device"))
                .setTargetBytes(bytes);
    }

    /**
     * Changes the I/O limits of disk {@code index} (0 is /dev/vda; 0 for no limit) from its next
     * request on. Thread-safe.
     *
     * @throws IllegalArgumentException if there is no such disk or a limit is negative
     */
    public void setDiskLimits(int index, long iops, long bytesPerSecond) {
        List<VirtioBlk> disks = devices.transports().stream().map(VirtioMmioTransport::device)
                .filter(VirtioBlk.class::isInstance).map(VirtioBlk.class::cast).toList();
        if (index < 0 || index >= disks.size()) {
            throw new IllegalArgumentException("no disk " + index + " (this VM has " + disks.size() + ")");
        }
        disks.get(index).setLimits(new IoLimits(iops, bytesPerSecond));
    }

    /** Bytes of guest RAM the host holds right now (resident pages). */
    public long residentMemoryBytes() {
        return board.ram().residentBytes();
    }

    /** Host CPU time used by the VM's harts so far, in nanoseconds (also after it ended). */
    public long cpuTimeNanos() {
        return cpuTime.totalNanos();
    }

    /**
     * Changes the VM's share among busy VMs on its scheduler (1..10000). Thread-safe.
     *
     * @throws IllegalStateException    if the VM runs without a CPU scheduler
     * @throws IllegalArgumentException if the weight is out of range
     */
    public void setCpuWeight(int weight) {
        checkShare(new CpuShare(weight, 0));
        scheduledGroup().setWeight(weight);
    }

    /**
     * Caps the VM's harts together at {@code cores} host cores (0: no cap), at most one per hart.
     * Thread-safe.
     *
     * @throws IllegalStateException    if the VM runs without a CPU scheduler
     * @throws IllegalArgumentException if the cap is out of range
     */
    public void setCpuLimit(double cores) {
        checkShare(new CpuShare(CpuShare.DEFAULT.weight(), cores));
        scheduledGroup().setLimit(cores);
    }

    /** The VM's CPU weight and cap now, or empty if it runs without a CPU scheduler. */
    public Optional<CpuShare> cpuShare() {
        return cpuGroup == null ? Optional.empty() : Optional.of(new CpuShare(cpuGroup.weight(), cpuGroup.limit()));
    }

    private CpuGroup scheduledGroup() {
        if (cpuGroup == null) {
            throw new IllegalStateException("this VM runs without a CPU scheduler (create it with one)");
        }
        return cpuGroup;
    }

    private void checkShare(CpuShare share) {
        try {
            SpecCheck.checkCpuShare(share, harts.length);
        } catch (VmConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Asks the VM to stop; run() then returns VmExit.Stopped. Thread-safe. */
    public void stop() {
        finish(new VmExit.Stopped());
    }

    /** The hart with this id, for tests and tools. */
    public Hart hart(int id) {
        return harts[id];
    }

    /** Stops the VM, then its devices (each finishes the request in progress), then frees RAM. */
    @Override
    public void close() {
        stop();
        if (cpuGroup != null) {
            cpuGroup.leave();
        }
        closeAll(devices, board);
    }

    /** Turns the finisher's power requests into VM exits. */
    private static final class ExitRelay implements PowerControl {
        volatile Vm vm;

        @Override
        public void powerOff() {
            vm.finish(new VmExit.PowerOff());
        }

        @Override
        public void reset() {
            vm.finish(new VmExit.Reset());
        }

        @Override
        public void fail(int code) {
            vm.finish(new VmExit.GuestFailure(code));
        }
    }
}
