package dev.nucleo.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nucleo.vmm.guest.GuestAssets;
import dev.nucleo.vmm.guest.InitramfsBuilder;
import dev.nucleo.vmm.sched.CpuScheduler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The stock kernel boots under a {@link CpuScheduler} with a cap: WFI, timer and device
 * interrupts all go through the scheduler's slots, the cap holds over the boot, and an idle
 * guest at its prompt holds no slot.
 */
@Tag("guest")
@Execution(ExecutionMode.CONCURRENT)
class SchedulerBootTest {
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final double CAP = 0.5;

    @Test
    void cappedGuestBootsAnswersAndStaysUnderItsCap() throws Exception {
        GuestAssets guest = LinuxBootTest.guestOrSkip();
        VmSpec spec = new VmSpec(Optional.of(guest.firmware()), Optional.of(guest.kernel()),
                Optional.of(guest.defaultInitrd()), "console=ttyS0", VmSpec.DEFAULT_MEMORY, 1,
                List.of(), List.of(), new CpuShare(100, CAP));
        ConsoleTranscript console = new ConsoleTranscript();
        try (Vm vm = Vm.create(spec, console, CpuScheduler.forHost())) {
            long start = System.nanoTime();
            CompletableFuture<VmExit> exit = Background.run(vm);
            console.endWhenDone(exit);
            int at = console.await(InitramfsBuilder.READY_BANNER, 0, BOOT_TIMEOUT);
            at = console.await("# ", at, COMMAND_TIMEOUT);
            double bootCores = (double) vm.cpuTimeNanos() / (System.nanoTime() - start);
            System.out.printf("boot under a %.2f-core cap: %.1f s, %.3f cores%n",
                    CAP, (System.nanoTime() - start) / 1e9, bootCores);

            long idleCpu = vm.cpuTimeNanos();
            long idleStart = System.nanoTime();
            Thread.sleep(2_000);
            double idleCores = (double) (vm.cpuTimeNanos() - idleCpu) / (System.nanoTime() - idleStart);
            System.out.printf("idle at the prompt: %.3f cores%n", idleCores);

            vm.setCpuWeight(500);
            vm.sendConsoleInput("echo sched-$((6 * 7))\n".getBytes(StandardCharsets.US_ASCII));
            at = console.await("sched-42", at, COMMAND_TIMEOUT);
            vm.sendConsoleInput("poweroff -f\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(new VmExit.PowerOff(), exit.get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS),
                    console.text());

            assertTrue(bootCores <= CAP * 1.15, "the boot used " + bootCores + " cores under a " + CAP + " cap");
            assertTrue(idleCores < 0.15, "an idle guest used " + idleCores + " cores");
            assertEquals(Optional.of(new CpuShare(500, CAP)), vm.cpuShare());
        }
    }
}
