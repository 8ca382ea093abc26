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
import dev.nucleo.machine.GuestRam;
import dev.nucleo.machine.VirtMemoryMap;
import dev.nucleo.state.Snapshottable;
import dev.nucleo.state.StateException;
import dev.nucleo.state.StateReader;
import dev.nucleo.state.StateWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
    private static final long PAUSE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final VmSpec spec;
    private final VirtBoard board;
    private final Hart[] harts;
    private final VirtioSlots devices;
    private final AtomicReference<VmExit> exit = new AtomicReference<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final CpuGroup cpuGroup;      // null: the harts run whenever the host OS schedules them
    private final HartCpuTime cpuTime;
    private final Object pauseLock = new Object();
    private volatile boolean paused;
    private volatile Thread[] hartThreads = new Thread[0];

    private Vm(VmSpec spec, VirtBoard board, Hart[] harts, VirtioSlots devices, CpuGroup cpuGroup) {
        this.spec = spec;
        this.board = board;
        this.harts = harts;
        this.devices = devices;
        this.cpuGroup = cpuGroup;
        this.cpuTime = new HartCpuTime(harts.length);
        Hart.sharePromotedCode(harts);
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
                Hart hart = newHart(board, id, engine);
                hart.setPc(layout.entry());
                hart.setRegister(10, id);
                hart.setRegister(11, layout.fdt());
                harts[id] = hart;
            }
            CpuGroup cpuGroup = scheduler == null ? null : joinScheduler(scheduler, spec.cpuShare(), harts);
            Vm vm = new Vm(spec, board, harts, devices, cpuGroup);
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

    /** A hart wired to the board: RAM, bus, interrupt lines, and the CLINT as its clock and stimecmp timer. */
    private static Hart newHart(VirtBoard board, int id, Engine engine) {
        Hart hart = new Hart(id, board.ram().segment(), board.ram().base(), board.bus(), board.clint());
        hart.setEngine(engine);
        board.connectHart(id, hart::setInterruptLine);
        hart.connectSupervisorTimer(board.clint());
        return hart;
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
        synchronized (pauseLock) {
            if (!paused) {
                board.clint().thaw(); // a restored VM's time stood still until now
            }
        }
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
        hartThreads = threads;
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

    // ---------------------------------------------------------------- pause, snapshot, restore

    /**
     * Pauses the VM: returns once every hart is parked between blocks (a hart in WFI included),
     * no virtio device is in the middle of a request, and guest time (mtime) stands still.
     * Thread-safe and idempotent; {@link #stop} still ends a paused VM.
     */
    public void pause() {
        synchronized (pauseLock) {
            if (paused) {
                return;
            }
            for (Hart hart : harts) {
                hart.requestPause();
            }
            boolean interrupted = false;
            for (Hart hart : harts) {
                while (true) {
                    try {
                        if (hart.awaitPaused(PAUSE_POLL_NANOS)) {
                            break;
                        }
                    } catch (InterruptedException e) {
                        interrupted = true; // finish the pause; the caller sees its flag again
                    }
                }
            }
            for (VirtioMmioTransport transport : devices.transports()) {
                transport.suspend();
            }
            board.clint().freeze();
            paused = true;
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Lets a paused VM go on; guest time continues from where it stopped. Thread-safe, idempotent. */
    public void resume() {
        synchronized (pauseLock) {
            if (!paused) {
                return;
            }
            board.clint().thaw();
            for (VirtioMmioTransport transport : devices.transports()) {
                transport.unsuspend();
            }
            for (Hart hart : harts) {
                hart.resumeFromPause();
            }
            paused = false;
        }
    }

    public boolean isPaused() {
        return paused;
    }

    /** Guest time as the guest reads it (CLINT mtime, in ticks of {@link dev.nucleo.machine.Clint#TIMEBASE_HZ}). */
    public long guestTime() {
        return board.clint().mtime();
    }

    /** The spec this VM was built (or restored) from. */
    public VmSpec spec() {
        return spec;
    }

    /**
     * Writes a snapshot of this paused VM into the new directory {@code dir}: the metadata file
     * (format, spec, harts, devices, memory checksums) and the memory file holding only non-zero
     * pages. It is written beside {@code dir} first and renamed into place, so {@code dir}
     * either does not exist or is a whole snapshot.
     *
     * @throws IllegalStateException      if the VM is not paused or has ended
     * @throws FileAlreadyExistsException if {@code dir} exists
     */
    public void snapshot(Path dir) throws IOException {
        synchronized (pauseLock) {
            if (!paused) {
                throw new IllegalStateException("pause the VM before taking a snapshot");
            }
            if (exit.get() != null) {
                throw new IllegalStateException("the VM has ended (" + exit.get() + ")");
            }
            Path target = dir.toAbsolutePath().normalize();
            if (Files.exists(target)) {
                throw new FileAlreadyExistsException(target.toString(), null, "a snapshot needs a new directory");
            }
            Path partial = target.resolveSibling("." + target.getFileName() + ".partial-" + ProcessHandle.current().pid()
                    + "-" + System.nanoTime());
            Files.createDirectory(partial);
            try {
                MemoryImage memory = MemoryImage.write(board.ram(), partial.resolve(SnapshotFile.MEMORY));
                Map<String, byte[]> sections = new LinkedHashMap<>();
                sections.put("spec", SpecCodec.encode(spec));
                StateWriter memoryState = new StateWriter();
                memory.save(memoryState);
                sections.put("memory", memoryState.toByteArray());
                for (Map.Entry<String, Snapshottable> part : stateParts().entrySet()) {
                    StateWriter out = new StateWriter();
                    part.getValue().save(out);
                    sections.put(part.getKey(), out.toByteArray());
                }
                SnapshotFile.write(partial.resolve(SnapshotFile.METADATA), sections);
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException | Error e) {
                deleteQuietly(partial);
                throw e;
            }
        }
    }

    /** Every stateful part of the machine by section name, in the order they are loaded. */
    private Map<String, Snapshottable> stateParts() {
        Map<String, Snapshottable> parts = new LinkedHashMap<>();
        for (int id = 0; id < harts.length; id++) {
            parts.put("hart." + id, harts[id].state());
        }
        parts.put("plic", board.plic());
        parts.put("clint", board.clint());
        parts.put("uart", board.uart());
        parts.put("rtc", board.rtc());
        List<VirtioMmioTransport> transports = devices.transports();
        for (int slot = 0; slot < transports.size(); slot++) {
            parts.put("virtio." + slot, transports.get(slot));
        }
        return parts;
    }

    /** Restores the snapshot in {@code dir} with the spec it was taken with; see {@link #restore(Path, VmSpec, OutputStream)}. */
    public static Vm restore(Path dir, OutputStream consoleOut) throws VmConfigException, IOException {
        return restore(dir, null, consoleOut);
    }

    /**
     * Builds a VM that continues exactly where the snapshot in {@code dir} was taken, ready to
     * {@link #run}; guest time stands still until then. Its RAM maps the snapshot's memory file
     * copy-on-write, so many clones of one snapshot share every page none of them wrote.
     *
     * @param spec the machine to build, for a clone with its own disks, sockets or console (same
     *             memory, cpus and device kinds as the snapshot); null for the snapshot's own spec
     * @throws SnapshotException  if the snapshot is missing, truncated, corrupt, of another
     *                            version, or does not fit {@code spec}; nothing is left running
     * @throws VmConfigException  if a disk or socket of the spec cannot be opened
     */
    public static Vm restore(Path dir, VmSpec spec, OutputStream consoleOut) throws VmConfigException, IOException {
        return restore(dir, spec, consoleOut, null);
    }

    /**
     * {@link #restore(Path, VmSpec, OutputStream)} with the harts on {@code scheduler} (null:
     * none), sharing the host's CPU by the spec's {@link CpuShare}.
     */
    public static Vm restore(Path dir, VmSpec spec, OutputStream consoleOut, CpuScheduler scheduler)
            throws VmConfigException, IOException {
        Map<String, byte[]> sections = SnapshotFile.read(dir);
        VmSpec saved;
        MemoryImage memory;
        try {
            saved = SpecCodec.decode(section(sections, "spec"));
            if (spec != null) {
                Optional<String> problem = SpecCodec.mismatch(saved, spec);
                if (problem.isPresent()) {
                    throw new SnapshotException("cannot restore " + dir + " with this spec: " + problem.get());
                }
            }
            memory = MemoryImage.load(section(sections, "memory"), saved.memoryBytes());
        } catch (StateException e) {
            throw new SnapshotException("snapshot " + dir + " is damaged: " + e.getMessage());
        }
        VmSpec target = spec != null ? spec : saved;
        SpecCheck.checkMachine(target.memoryBytes(), target.cpus());
        DiskCheck.check(target.disks());
        Path memoryFile = dir.resolve(SnapshotFile.MEMORY);
        if (!Files.isRegularFile(memoryFile)) {
            throw new SnapshotException("snapshot " + dir + " has no memory file " + SnapshotFile.MEMORY);
        }
        Optional<String> damage = memory.verify(memoryFile);
        if (damage.isPresent()) {
            throw new SnapshotException("snapshot " + dir + ": " + damage.get());
        }
        ExitRelay relay = new ExitRelay();
        VirtBoard board;
        try {
            board = new VirtBoard(target.cpus(), () -> mapMemory(memoryFile, target.memoryBytes()), consoleOut, relay);
        } catch (UncheckedIOException e) {
            throw new SnapshotException("cannot map the memory of snapshot " + dir + ": " + e.getCause().getMessage());
        }
        board.clint().freeze();     // guest time resumes at the saved mtime when run() starts
        VirtioSlots devices = new VirtioSlots(board);
        try {
            attachDisks(devices, target.disks());
            for (DeviceSpec device : target.devices()) {
                devices.attach(VirtioDevices.create(device, board));
            }
            Engine engine = configuredEngine();
            Hart[] harts = new Hart[target.cpus()];
            for (int id = 0; id < harts.length; id++) {
                Hart hart = newHart(board, id, engine);
                harts[id] = hart;
            }
            CpuGroup cpuGroup = scheduler == null ? null : joinScheduler(scheduler, target.cpuShare(), harts);
            Vm vm = new Vm(target, board, harts, devices, cpuGroup);
            relay.vm = vm;
            try {
                for (Map.Entry<String, Snapshottable> part : vm.stateParts().entrySet()) {
                    part.getValue().load(section(sections, part.getKey()));
                }
                if (sections.containsKey("virtio." + devices.transports().size())) {
                    throw new SnapshotException("snapshot " + dir + " has more virtio devices than the spec");
                }
            } catch (StateException | VmConfigException | RuntimeException | Error e) {
                if (cpuGroup != null) {
                    cpuGroup.leave();
                }
                throw e;
            }
            return vm;
        } catch (StateException e) {
            closeAll(devices, board);
            throw new SnapshotException("cannot restore " + dir + ": " + e.getMessage());
        } catch (VmConfigException | RuntimeException | Error e) {
            closeAll(devices, board);
            throw e;
        }
    }

    /**
     * The spec a snapshot was taken with (checked against its metadata checksum), e.g. to make
     * a clone's spec with other disks or sockets for {@link #restore(Path, VmSpec, OutputStream)}.
     */
    public static VmSpec snapshotSpec(Path dir) throws SnapshotException {
        try {
            return SpecCodec.decode(section(SnapshotFile.read(dir), "spec"));
        } catch (StateException e) {
            throw new SnapshotException("snapshot " + dir + " is damaged: " + e.getMessage());
        }
    }

    private static GuestRam mapMemory(Path file, long size) {
        try {
            return GuestRam.mapPrivate(VirtMemoryMap.DRAM_BASE, size, file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static StateReader section(Map<String, byte[]> sections, String name) throws StateException {
        byte[] body = sections.get(name);
        if (body == null) {
            throw new StateException("section " + name + " is missing");
        }
        return new StateReader(name, body);
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.getLogger(Vm.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot remove the partial snapshot " + dir, e);
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

    /**
     * Stops the VM, then its devices (each finishes the request in progress), then frees RAM;
     * RAM stays mapped (leaked) if a hart has not stopped within 10 s, since a hart still in its
     * last block must not touch freed memory.
     */
    @Override
    public void close() {
        stop();
        boolean hartsStopped = awaitHarts();
        if (cpuGroup != null) {
            cpuGroup.leave();
        }
        if (hartsStopped) {
            closeAll(devices, board);
        } else {
            System.getLogger(Vm.class.getName()).log(System.Logger.Level.WARNING,
                    "a hart did not stop within 10 s; its VM's RAM stays mapped");
            devices.close();
            board.closeKeepingRam();
        }
    }

    /** Waits for the hart threads to end; whether they all did. */
    private boolean awaitHarts() {
        for (Thread t : hartThreads) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            if (t.isAlive()) {
                return false;
            }
        }
        return true;
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
