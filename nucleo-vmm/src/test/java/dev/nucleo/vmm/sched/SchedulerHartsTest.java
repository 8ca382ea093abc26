package dev.nucleo.vmm.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nucleo.vmm.Background;
import dev.nucleo.vmm.CpuShare;
import dev.nucleo.vmm.Vm;
import dev.nucleo.vmm.VmExit;
import dev.nucleo.vmm.VmSpec;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real harts running a CPU-bound program under a {@link CpuScheduler}, their CPU time measured
 * by the JVM. Weights are checked on a scheduler with one slot, so the host is "busy" however
 * many cores the machine has and whatever else runs on it.
 */
class SchedulerHartsTest {
    private static final long WARM_UP_MS = 700;
    private static final long MEASURE_MS = 4_000;

    @TempDir
    Path dir;

    @Test
    void weightsTwoToOneGetCpuTimeTwoToOne() throws Exception {
        CpuScheduler busyHost = new CpuScheduler(1);
        double ratio;
        try (Running heavy = start(busyHost, 1, new CpuShare(200, 0));
             Running light = start(busyHost, 1, new CpuShare(100, 0))) {
            long[] used = measure(heavy, light);
            ratio = (double) used[0] / used[1];
            System.out.printf("weights 200:100 on 1 slot: CPU %d ms : %d ms = %.3f%n",
                    used[0] / 1_000_000, used[1] / 1_000_000, ratio);
            heavy.stopsPromptly();
            light.stopsPromptly();
        }
        assertEquals(2.0, ratio, 2.0 * 0.15, "CPU time ratio for weights 2:1");
    }

    @Test
    void vmsShareByWeightNotByHartCount() throws Exception {
        CpuScheduler busyHost = new CpuScheduler(1);
        double ratio;
        try (Running twoHarts = start(busyHost, 2, new CpuShare(100, 0));
             Running oneHart = start(busyHost, 1, new CpuShare(100, 0))) {
            long[] used = measure(twoHarts, oneHart);
            ratio = (double) used[0] / used[1];
            System.out.printf("2 harts vs 1 hart, equal weights, 1 slot: CPU %d ms : %d ms = %.3f%n",
                    used[0] / 1_000_000, used[1] / 1_000_000, ratio);
            twoHarts.stopsPromptly();
            oneHart.stopsPromptly();
        }
        assertEquals(1.0, ratio, 0.15, "CPU time ratio of a 2-hart and a 1-hart VM of equal weight");
    }

    @Test
    void capOfAQuarterCoreHolds() throws Exception {
        CpuScheduler host = CpuScheduler.forHost();
        double cores;
        try (Running capped = start(host, 1, new CpuShare(100, 0.25))) {
            Thread.sleep(WARM_UP_MS);
            long cpu0 = capped.vm.cpuTimeNanos();
            long t0 = System.nanoTime();
            Thread.sleep(MEASURE_MS);
            long cpu = capped.vm.cpuTimeNanos() - cpu0;
            cores = (double) cpu / (System.nanoTime() - t0);
            System.out.printf("cap 0.25 cores: used %.3f cores (%d ms CPU in %d ms)%n",
                    cores, cpu / 1_000_000, MEASURE_MS);
            capped.stopsPromptly();
            assertTrue(capped.vm.cpuTimeNanos() >= cpu0 + cpu, "usage does not drop when the VM ends");
        }
        assertTrue(cores <= 0.25 * 1.15, "a VM capped at 0.25 cores used " + cores);
        assertTrue(cores > 0, "the capped VM still runs"); // how much more is up to the host's load
    }

    @Test
    void capChangesWhileRunning() throws Exception {
        CpuScheduler host = CpuScheduler.forHost();
        try (Running vm = start(host, 1, CpuShare.DEFAULT)) {
            Thread.sleep(WARM_UP_MS);
            vm.vm.setCpuLimit(0.1);
            assertEquals(Optional.of(new CpuShare(100, 0.1)), vm.vm.cpuShare());
            Thread.sleep(300);
            long cpu0 = vm.vm.cpuTimeNanos();
            long t0 = System.nanoTime();
            Thread.sleep(2_000);
            double cores = (double) (vm.vm.cpuTimeNanos() - cpu0) / (System.nanoTime() - t0);
            System.out.printf("cap set to 0.1 at run time: used %.3f cores%n", cores);
            assertTrue(cores <= 0.1 * 1.15, "used " + cores + " cores");
            vm.stopsPromptly();
        }
    }

    private long[] measure(Running a, Running b) throws InterruptedException {
        Thread.sleep(WARM_UP_MS);
        long a0 = a.vm.cpuTimeNanos();
        long b0 = b.vm.cpuTimeNanos();
        Thread.sleep(MEASURE_MS);
        return new long[] {a.vm.cpuTimeNanos() - a0, b.vm.cpuTimeNanos() - b0};
    }

    private Running start(CpuScheduler scheduler, int cpus, CpuShare share) throws Exception {
        VmSpec spec = new VmSpec(Optional.of(SpinFirmware.write(dir)), Optional.empty(), Optional.empty(),
                VmSpec.DEFAULT_CMDLINE, 64L << 20, cpus, List.of(), List.of(), share);
        Vm vm = Vm.create(spec, OutputStream.nullOutputStream(), scheduler);
        return new Running(vm, Background.run(vm));
    }

    /** A VM running in the background; closing it stops it. */
    private record Running(Vm vm, CompletableFuture<VmExit> exit) implements AutoCloseable {
        void stopsPromptly() throws Exception {
            long asked = System.nanoTime();
            vm.stop();
            assertEquals(new VmExit.Stopped(), exit.get(5, TimeUnit.SECONDS));
            long ms = (System.nanoTime() - asked) / 1_000_000;
            assertTrue(ms < 2_000, "stopped after " + ms + " ms");
        }

        @Override
        public void close() {
            vm.close();
        }
    }
}
