package dev.nucleo.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nucleo.vmm.guest.GuestAssets;
import dev.nucleo.vmm.guest.InitramfsBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Two harts: the stock kernel sees two processors, and two CPU-bound shell jobs started in
 * parallel really run on both (each hart retires a good share of the instructions while they
 * run). How much faster that is than one after the other is for bench/workloads to measure.
 */
@Tag("guest")
@Execution(ExecutionMode.CONCURRENT)
class SmpBootTest {
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(8);   // two harts on a loaded 2-core host boot slowly
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration JOBS_TIMEOUT = Duration.ofMinutes(4);
    private static final int ITERATIONS = 20_000;
    /**
     * Each hart's least share of the instructions retired while both jobs run. Had one hart run
     * both jobs, the other (idle in WFI) would retire next to nothing; the host's scheduler
     * does not give the two hart threads equal time on a loaded machine (72/28 seen).
     */
    private static final double LEAST_SHARE = 0.15;

    @Test
    void twoJobsRunOnTwoHarts() throws Exception {
        GuestAssets guest = LinuxBootTest.guestOrSkip();
        VmSpec spec = new VmSpec(Optional.of(guest.firmware()), Optional.of(guest.kernel()),
                Optional.of(guest.defaultInitrd()), "console=ttyS0", VmSpec.DEFAULT_MEMORY, 2);
        ConsoleTranscript console = new ConsoleTranscript();
        try (Vm vm = Vm.create(spec, console)) {
            CompletableFuture<VmExit> exit = Background.run(vm);
            console.endWhenDone(exit);
            int at = console.await(InitramfsBuilder.READY_BANNER, 0, BOOT_TIMEOUT);
            at = console.await("# ", at, COMMAND_TIMEOUT);
            // The arithmetic keeps the expected text out of the echoed command line.
            type(vm, "echo cpus-$(nproc)-$(grep -c ^processor /proc/cpuinfo)-$((40 + 2))\n");
            at = console.await("cpus-2-2-42", at, COMMAND_TIMEOUT);

            type(vm, "job() { i=0; while [ $i -lt " + ITERATIONS + " ]; do i=$((i+1)); done; echo job-$1-$i; }\n");
            long[] before = retired(vm);
            type(vm, "job a & job b & wait; echo jobs-$((1 + 1))-done\n");
            int end = console.await("jobs-2-done", at, JOBS_TIMEOUT);
            long[] after = retired(vm);

            String jobs = console.text().substring(at, end);
            assertTrue(jobs.contains("job-a-" + ITERATIONS), "job a finished its count:\n" + jobs);
            assertTrue(jobs.contains("job-b-" + ITERATIONS), "job b finished its count:\n" + jobs);
            long hart0 = after[0] - before[0];
            long hart1 = after[1] - before[1];
            long total = hart0 + hart1;
            String shares = String.format("hart 0 retired %,d and hart 1 %,d instructions while the jobs ran",
                    hart0, hart1);
            System.out.println(shares);
            assertTrue(total > 0, shares);
            assertTrue(hart0 >= LEAST_SHARE * total && hart1 >= LEAST_SHARE * total,
                    shares + ": both should have done at least " + (int) (LEAST_SHARE * 100) + "%");

            type(vm, "poweroff -f\n");
            assertEquals(new VmExit.PowerOff(), exit.get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS),
                    console.text());
        }
    }

    private static void type(Vm vm, String line) {
        vm.sendConsoleInput(line.getBytes(StandardCharsets.US_ASCII));
    }

    private static long[] retired(Vm vm) {
        return new long[] {vm.hart(0).instructionsRetired(), vm.hart(1).instructionsRetired()};
    }
}
