package dev.nucleo.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nucleo.vmm.guest.GuestAssets;
import dev.nucleo.vmm.guest.InitramfsBuilder;
import dev.nucleo.vmm.sched.CpuScheduler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The stock kernel boots under a {@link CpuScheduler} with a cap: WFI, timer and device
 * interrupts all go through the scheduler's slots, the cap holds over the boot, and an idle
 * guest at its prompt holds no slot. A tighter cap set at run time holds a busy loop in the
 * guest's shell while the guest still answers. Its disk has a bandwidth limit, and reading
 * it in the guest takes at least as long as the limit implies.
 */
@Tag("guest")
@Execution(ExecutionMode.CONCURRENT)
class ResourceLimitsBootTest {
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(8); // capped, on a shared 2-core CI host
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final double CAP = 0.8;
    private static final double TIGHT_CAP = 0.2;
    private static final long DISK_BPS = 256 << 10;
    private static final int READ_BYTES = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void cappedGuestBootsAnswersAndStaysUnderItsLimits() throws Exception {
        GuestAssets guest = LinuxBootTest.guestOrSkip();
        Path disk = Files.write(dir.resolve("disk.img"), new byte[2 * READ_BYTES]);
        VmSpec spec = new VmSpec(Optional.of(guest.firmware()), Optional.of(guest.kernel()),
                Optional.of(guest.defaultInitrd()), "console=ttyS0", VmSpec.DEFAULT_MEMORY, 1,
                List.of(new DiskSpec(disk, false, 0, DISK_BPS)), List.of(), new CpuShare(100, CAP));
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

            // A fresh boot has nothing of the disk cached but what the partition scan read.
            vm.sendConsoleInput(("dd if=/dev/vda of=/dev/null bs=64k count=" + READ_BYTES / 65536
                    + " && echo dd-$((1 + 1))-done\n").getBytes(StandardCharsets.US_ASCII));
            long ddStart = System.nanoTime();
            at = console.await("dd-2-done", at, COMMAND_TIMEOUT);
            double ddSeconds = (System.nanoTime() - ddStart) / 1e9;
            System.out.printf("dd of 1 MiB at a 256 KiB/s limit: %.2f s%n", ddSeconds);
            // a second's burst (256 KiB) and what the partition scan may have read ahead (128 KiB) come free
            double leastSeconds = (double) (READ_BYTES - DISK_BPS - (128 << 10)) / DISK_BPS;
            assertTrue(ddSeconds >= leastSeconds, "1 MiB at 256 KiB/s took only " + ddSeconds + " s");

            vm.setCpuLimit(TIGHT_CAP);
            vm.sendConsoleInput("while :; do :; done &\n".getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(1_000);
            long busyCpu = vm.cpuTimeNanos();
            long busyStart = System.nanoTime();
            Thread.sleep(3_000);
            double busyCores = (double) (vm.cpuTimeNanos() - busyCpu) / (System.nanoTime() - busyStart);
            System.out.printf("busy loop in the guest under a %.2f-core cap: %.3f cores%n", TIGHT_CAP, busyCores);
            assertTrue(busyCores <= TIGHT_CAP * 1.15, "a busy guest under a " + TIGHT_CAP + " cap used " + busyCores);
            vm.sendConsoleInput("kill $!\n".getBytes(StandardCharsets.US_ASCII));
            vm.setCpuLimit(CAP);

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
