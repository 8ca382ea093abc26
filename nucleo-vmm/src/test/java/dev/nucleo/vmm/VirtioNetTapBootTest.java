package dev.nucleo.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nucleo.vmm.guest.GuestAssets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stock-kernel guest on a host TAP device reaches a host address. The TAP device and its
 * address 10.99.0.1/24 live in a network namespace the test makes, so nothing routes out.
 */
@Tag("guest")
@Execution(ExecutionMode.CONCURRENT)
class VirtioNetTapBootTest {
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(6);
    private static final String TAP = "ntapguest0";

    private static final String SCRIPT = """
            ip link set eth0 up
            ip addr add 10.99.0.2/24 dev eth0
            i=0
            until ping -c 1 -W 1 10.99.0.1 >/dev/null 2>&1; do
                i=$((i + 1)); [ $i -ge 120 ] && break
            done
            echo "pings $(ping -c 3 10.99.0.1 | grep -c 'bytes from')"
            echo "tap-test-done"
            """;

    @TempDir
    Path dir;

    @Test
    void guestOnATapDevicePingsAHostAddress() throws Exception {
        GuestAssets guest = LinuxBootTest.guestOrSkip();
        try (NetNamespace ns = NetNamespace.createOrSkip("nucleo-tapvm")) {
            Path initrd = dir.resolve("initrd.cpio.gz");
            guest.initramfs().withInitScript(SCRIPT).writeTo(initrd);
            VmSpec spec = new VmSpec(Optional.of(guest.firmware()), Optional.of(guest.kernel()), Optional.of(initrd),
                    "console=ttyS0", VmSpec.DEFAULT_MEMORY, 1)
                    .withDevices(List.of(NicSpec.parse("tap=" + TAP)));
            ConsoleTranscript console = new ConsoleTranscript();
            // Created from inside the namespace, so the TAP device appears there.
            try (Vm vm = ns.call(() -> Vm.create(spec, console))) {
                ns.exec("ip", "addr", "add", "10.99.0.1/24", "dev", TAP);
                ns.exec("ip", "link", "set", TAP, "up");
                VmExit exit = Background.run(vm).get(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                String text = console.text();
                assertEquals(new VmExit.PowerOff(), exit, text);
                assertTrue(text.contains("tap-test-done"), text);
                assertTrue(text.lines().anyMatch("pings 3"::equals), "the host answered 3 pings:\n" + text);
            }
        }
    }
}
