package dev.nucleo.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nucleo.vmm.CpuShare;
import dev.nucleo.vmm.SpecCheck;
import dev.nucleo.vmm.Vm;
import dev.nucleo.vmm.VmConfigException;
import dev.nucleo.vmm.VmSpec;
import dev.nucleo.vmm.sched.CpuScheduler;
import java.nio.file.Files;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The VMs of one daemon: names unique, each definition persisted before it is accepted, and
 * memory admission control on start (the running VMs' RAM may not exceed the host's memory
 * times the overcommit ratio). VMs share nothing but the code: each has its own machine,
 * threads and console.
 */
public final class VmHost implements AutoCloseable {
    private final Map<String, ManagedVm> vms = new LinkedHashMap<>();
    private final DefinitionStore store;
    private final double overcommit;
    private final int consoleCapacity;
    private final HostMetrics metrics = new HostMetrics();
    private final CpuScheduler scheduler;
    private final ObjectMapper json;
    private final Object admission = new Object();
    private final List<String> loadProblems;

    /**
     * Opens the state directory and defines (stopped) every VM found there.
     *
     * @param overcommit how many times the host's memory the running VMs may be given (1.0: no overcommit)
     */
    public VmHost(Path stateDir, double overcommit, int consoleCapacity, ObjectMapper json) throws IOException {
        this(stateDir, overcommit, consoleCapacity, json, CpuScheduler.forHost());
    }

    /**
     * @param scheduler shares the host's CPU among the running VMs by their weights and limits
     */
    public VmHost(Path stateDir, double overcommit, int consoleCapacity, ObjectMapper json, CpuScheduler scheduler)
            throws IOException {
        this.scheduler = scheduler;
        this.json = json;
        if (!(overcommit > 0)) {
            throw new IllegalArgumentException("the memory overcommit ratio must be more than 0, not " + overcommit);
        }
        this.store = new DefinitionStore(stateDir, json);
        this.overcommit = overcommit;
        this.consoleCapacity = consoleCapacity;
        DefinitionStore.Loaded loaded = store.load();
        List<String> problems = new ArrayList<>(loaded.problems());
        for (VmDefinition definition : loaded.definitions()) {
            try {
                // Files may have gone since; such a VM is still listed, and fails on start with the reason.
                VmSpec spec = definition.config().toSpec();
                vms.put(definition.name(), new ManagedVm(definition, spec, consoleCapacity, metrics, scheduler));
            } catch (ApiException e) {
                problems.add(definition.id() + " (" + definition.name() + "): " + e.getMessage());
            }
        }
        this.loadProblems = List.copyOf(problems);
        metrics.watch(this::list, this::usage);
    }

    /** Definitions in the state directory that could not be loaded, with why. */
    public List<String> loadProblems() {
        return loadProblems;
    }

    public Path stateDir() {
        return store.dir();
    }

    HostMetrics metrics() {
        return metrics;
    }


    /** Defines a VM; nothing is kept if any check or the write to disk fails. */
    public VmStatus create(VmConfig config) throws ApiException {
        VmSpec spec = SpecValidation.validate(config);
        synchronized (this) {
            if (vms.containsKey(config.name())) {
                throw ApiException.conflict("a VM named '" + config.name() + "' already exists");
            }
            VmDefinition definition = new VmDefinition(newId(), Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(), config);
            try {
                store.save(definition);
            } catch (IOException e) {
                throw new ApiException(500, "cannot save the definition in " + store.dir() + ": " + e.getMessage());
            }
            ManagedVm vm = new ManagedVm(definition, spec, consoleCapacity, metrics, scheduler);
            vms.put(config.name(), vm);
            return vm.status();
        }
    }

    private String newId() {
        while (true) {
            byte[] bytes = new byte[6];
            ThreadLocalRandom.current().nextBytes(bytes);
            String id = HexFormat.of().formatHex(bytes);
            if (vms.values().stream().noneMatch(vm -> vm.definition().id().equals(id))) {
                return id;
            }
        }
    }

    /** A VM by name, or by its id. */
    synchronized ManagedVm get(String nameOrId) throws ApiException {
        ManagedVm vm = vms.get(nameOrId);
        if (vm != null) {
            return vm;
        }
        return vms.values().stream().filter(v -> v.definition().id().equals(nameOrId)).findFirst()
                .orElseThrow(() -> ApiException.notFound("no VM named '" + nameOrId + "'"));
    }

    public VmStatus inspect(String name) throws ApiException {
        return get(name).status();
    }

    public List<VmStatus> list() {
        List<ManagedVm> all;
        synchronized (this) {
            all = List.copyOf(vms.values());
        }
        return all.stream().map(ManagedVm::status).toList();
    }

    /** Starts a VM if the host's memory allows it. */
    public VmStatus start(String name) throws ApiException {
        ManagedVm vm = get(name);
        admit(vm, vm::start);
        return vm.status();
    }

    private interface Starter {
        void start() throws ApiException;
    }

    /** Memory admission control: starts {@code vm} only if the running VMs leave room for it. */
    private void admit(ManagedVm vm, Starter starter) throws ApiException {
        synchronized (admission) {
            if (vm.state().active()) {
                throw ApiException.conflict("VM '" + vm.name() + "' is already " + vm.state().label());
            }
            HostUsage usage = usage();
            if (usage.committedMemoryBytes() + vm.memoryBytes() > usage.memoryLimitBytes()) {
                throw new ApiException(507, String.format(java.util.Locale.ROOT,
                        "not enough host memory to start VM '%s': it needs %d MiB, the running VMs have %d MiB of"
                                + " the %d MiB allowed (host memory %d MiB x overcommit ratio %s)",
                        vm.name(), vm.memoryBytes() >> 20, usage.committedMemoryBytes() >> 20,
                        usage.memoryLimitBytes() >> 20, usage.hostMemoryBytes() >> 20, overcommit));
            }
            starter.start();
        }
    }

    public VmStatus stop(String name) throws ApiException {
        ManagedVm vm = get(name);
        vm.stop();
        return vm.status();
    }

    public VmStatus reboot(String name) throws ApiException {
        ManagedVm vm = get(name);
        synchronized (admission) {
            vm.reboot();
        }
        return vm.status();
    }

    public VmStatus pause(String name) throws ApiException {
        ManagedVm vm = get(name);
        vm.pause();
        return vm.status();
    }

    public VmStatus resume(String name) throws ApiException {
        ManagedVm vm = get(name);
        vm.resume();
        return vm.status();
    }

    /**
     * Snapshots a running or paused VM into the new directory {@code dir}, with the VM's
     * definition beside it ({@value #SNAPSHOT_CONFIG}) so a restore gets its CPU share and disk
     * limits too.
     */
    public void snapshot(String name, Path dir) throws ApiException {
        ManagedVm vm = get(name);
        vm.snapshot(dir);
        try {
            DefinitionStore.writeAtomically(dir.resolve(SNAPSHOT_CONFIG), json.writeValueAsBytes(vm.definition().config()));
        } catch (IOException e) {
            throw new ApiException(500, "snapshot written to " + dir + ", but not its definition: " + e.getMessage());
        }
    }

    static final String SNAPSHOT_CONFIG = "nucleo-vm.json";

    /**
     * A new VM called {@code name} that continues from the snapshot in {@code dir}. Its
     * definition is saved first; if the machine cannot be restored, the definition is removed
     * again, so nothing is half-created.
     */
    public VmStatus restore(Path dir, String name) throws ApiException {
        SpecValidation.checkName(name);
        VmConfig config = snapshotConfig(dir).withName(name);
        VmStatus created = create(config);
        ManagedVm vm = get(created.name());
        try {
            admit(vm, () -> vm.startFromSnapshot(dir));
        } catch (ApiException e) {
            try {
                remove(name, true);
            } catch (ApiException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        return vm.status();
    }

    /**
     * A new VM called {@code newName} from a snapshot of {@code name} taken now (kept under the
     * state directory's {@code snapshots/}: the clone's memory is mapped from it).
     */
    public VmStatus cloneVm(String name, String newName) throws ApiException {
        SpecValidation.checkName(newName);
        ManagedVm source = get(name);
        synchronized (this) {
            if (vms.containsKey(newName)) {
                throw ApiException.conflict("a VM named '" + newName + "' already exists");
            }
        }
        Path dir = store.dir().resolve("snapshots").resolve(name + "-" + System.currentTimeMillis());
        try {
            Files.createDirectories(dir.getParent());
        } catch (IOException e) {
            throw new ApiException(500, "cannot create " + dir.getParent() + ": " + e.getMessage());
        }
        snapshot(source.name(), dir);
        return restore(dir, newName);
    }

    private VmConfig snapshotConfig(Path dir) throws ApiException {
        Path saved = dir.resolve(SNAPSHOT_CONFIG);
        if (Files.isRegularFile(saved)) {
            try {
                return json.readValue(saved.toFile(), VmConfig.class);
            } catch (IOException e) {
                throw ApiException.unprocessable("snapshot " + dir + ": its definition " + SNAPSHOT_CONFIG
                        + " is unreadable: " + e.getMessage());
            }
        }
        try {
            return VmConfig.of("restored", Vm.snapshotSpec(dir));
        } catch (VmConfigException e) {
            throw ApiException.unprocessable(e.getMessage());
        }
    }

    /** Changes a VM's CPU weight and limit: saved at once, applied at once when it runs. */
    public VmStatus setCpuShare(String name, Integer weight, Double limit) throws ApiException {
        ManagedVm vm = get(name);
        synchronized (this) {
            VmDefinition old = vm.definition();
            VmConfig config = old.config().withCpuShare(weight != null ? weight : old.config().cpuWeight(),
                    limit != null ? limit : old.config().cpuLimit());
            // Only the share changes: check it alone, so a VM whose image files have moved can still be re-weighted.
            CpuShare share = new CpuShare(config.cpuWeight(), config.cpuLimit());
            try {
                SpecCheck.checkCpuShare(share, config.cpus());
            } catch (VmConfigException e) {
                throw SpecValidation.rejected(e);
            }
            VmSpec spec = vm.spec().withCpuShare(share);
            VmDefinition updated = new VmDefinition(old.id(), old.created(), config);
            try {
                store.save(updated);
            } catch (IOException e) {
                throw new ApiException(500, "cannot save the definition in " + store.dir() + ": " + e.getMessage());
            }
            vm.redefine(updated, spec);
        }
        return vm.status();
    }

    /** Asks a running VM's guest to give {@code bytes} of its RAM to the balloon. */
    public VmStatus setBalloonTarget(String name, long bytes) throws ApiException {
        ManagedVm vm = get(name);
        vm.setBalloonTarget(bytes);
        return vm.status();
    }

    /** Deletes a VM's definition; a running VM only with {@code force} (it is stopped first). */
    public void remove(String name, boolean force) throws ApiException {
        ManagedVm vm = get(name);
        if (vm.state().active()) {
            if (!force) {
                throw ApiException.conflict("VM '" + vm.name() + "' is " + vm.state().label()
                        + "; stop it first (or remove it with force)");
            }
            try {
                vm.stop();
            } catch (ApiException e) {
                if (vm.state().active()) {
                    throw e;
                }
            }
        }
        synchronized (this) {
            try {
                store.delete(vm.definition().id());
            } catch (IOException e) {
                throw new ApiException(500, "cannot delete the definition of '" + vm.name() + "': " + e.getMessage());
            }
            vms.remove(vm.name());
        }
    }

    public HostUsage usage() {
        List<ManagedVm> all;
        synchronized (this) {
            all = List.copyOf(vms.values());
        }
        long committed = 0;
        long resident = 0;
        int running = 0;
        int cpus = 0;
        for (ManagedVm vm : all) {
            if (vm.state().active()) {
                running++;
                committed += vm.memoryBytes();
                cpus += vm.definition().config().cpus();
                resident += vm.residentMemoryBytes();
            }
        }
        long hostMemory = hostMemory();
        long limit = (long) Math.min(Long.MAX_VALUE, hostMemory * overcommit);
        return new HostUsage(Runtime.getRuntime().availableProcessors(), hostMemory, overcommit, limit, committed,
                resident, all.size(), running, cpus, processCpuSeconds());
    }

    private static long hostMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Long.MAX_VALUE;
    }

    private static double processCpuSeconds() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime() / 1e9;
        }
        return 0;
    }

    /** Stops every running VM (the definitions stay). */
    @Override
    public void close() {
        List<ManagedVm> all;
        synchronized (this) {
            all = List.copyOf(vms.values());
        }
        for (ManagedVm vm : all) {
            if (vm.state().active()) {
                try {
                    vm.stop();
                } catch (ApiException e) {
                    System.getLogger(VmHost.class.getName()).log(System.Logger.Level.WARNING, e.getMessage());
                }
            }
        }
    }
}
