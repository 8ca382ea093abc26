package dev.nucleo.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nucleo.vmm.guest.GuestAssets;
import dev.nucleo.vmm.guest.GuestCache;
import dev.nucleo.vmm.guest.InitramfsBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Boots the stock Debian riscv64 kernel under OpenSBI with the default busybox initramfs,
 * uses the shell, and powers off with {@code poweroff -f}, exactly as a user would.
 */
@Tag("guest")
@Execution(ExecutionMode.CONCURRENT)
class LinuxBootTest {
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    static GuestAssets guestOrSkip() {
        Optional<GuestAssets> assets = GuestAssets.find(GuestCache.fromEnvironment());
        if (assets.isEmpty() && System.getenv("CI") != null) {
            fail("the default guest is not cached; CI must run `nucleo guest fetch` first");
        }
        Assumptions.assumeTrue(assets.isPresent(), "default guest not cached (run `./nucleo guest fetch`)");
        return assets.get();
    }

    @Test
    void bootsToShellAndPowersOff() throws Exception {
        GuestAssets guest = guestOrSkip();
        Path initrd = guest.defaultInitrd();
        VmSpec spec = new VmSpec(Optional.of(guest.firmware()), Optional.of(guest.kernel()), Optional.of(initrd),
                "console=ttyS0", VmSpec.DEFAULT_MEMORY, 1);
        ConsoleTranscript console = new ConsoleTranscript();
        try (Vm vm = Vm.create(spec, console)) {
            CompletableFuture<VmExit> exit = Background.run(vm);
            console.endWhenDone(exit);
            int at = console.await(InitramfsBuilder.READY_BANNER, 0, BOOT_TIMEOUT);
            at = console.await("# ", at, COMMAND_TIMEOUT);
            vm.sendConsoleInput("echo nucleo-$((6 * 7)) $(uname -m)\n".getBytes(StandardCharsets.US_ASCII));
            at = console.await("nucleo-42 riscv64", at, COMMAND_TIMEOUT);
            vm.sendConsoleInput("poweroff -f\n".getBytes(StandardCharsets.US_ASCII));
            VmExit result = exit.get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);

            assertEquals(new VmExit.PowerOff(), result, console.text());
            String text = console.text();
            assertTrue(text.contains("OpenSBI v"), "firmware banner");
            assertTrue(text.contains("Linux version 6.12"), "kernel banner");
            assertTrue(text.contains("Run /init as init process"), "kernel reached userland");
            assertTrue(text.contains("Timer interrupt in S-mode is available via sstc extension"),
                    "the kernel programs its timer with stimecmp (Sstc), not through the firmware");
        }
    }
}
