package dev.nucleo.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nucleo.virtio.BalloonStats;
import dev.nucleo.virtio.VirtioBalloon;
import dev.nucleo.vmm.guest.GuestAssets;
import dev.nucleo.vmm.guest.InitramfsBuilder;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * One boot of the stock kernel with virtio-rng, virtio-console and virtio-balloon: the guest
 * reads entropy from /dev/hwrng; it talks with a host program over /dev/hvc0 and the console
 * socket, both ways; it dirties most of its RAM, frees it, and when the host inflates the
 * balloon the guest reports the pages given and the host's resident memory for the VM falls.
 */
@Tag("guest")
@Execution(ExecutionMode.CONCURRENT)
class VirtioRngConsoleBalloonBootTest {
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(180);
    private static final long MIB = 1 << 20;
    /** The guest keeps this much of what it has free for itself when the balloon inflates. */
    private static final long KEPT_FREE = 16 * MIB;

    private static final String SCRIPT = """
            echo "rng-current $(cat /sys/class/misc/hw_random/rng_current)"
            head -c 256 /dev/hwrng > /tmp/random
            echo "rng-bytes $(wc -c < /tmp/random)"
            echo "rng-distinct $(od -An -v -tx1 /tmp/random | tr ' ' '\\n' | grep . | sort -u | wc -l)"
            exec 3<>/dev/hvc0
            echo "guest-to-host-hello" >&3
            read -r reply <&3
            echo "hvc-got $reply"
            mkdir -p /tmp/fill
            mount -t tmpfs -o size=200m tmpfs /tmp/fill
            fill=$(( $(awk '/MemAvailable/ { print int($2 / 1024) }' /proc/meminfo) - 32 ))
            dd if=/dev/zero of=/tmp/fill/big bs=1M count=$fill 2>/dev/null
            echo "filled $? $fill"
            rm /tmp/fill/big
            umount /tmp/fill
            echo "filled-and-freed"
            read -r go <&3
            echo "guest-test-done $go"
            """;

    @TempDir
    Path dir;

    @Test
    void entropyConsoleAndBalloonWorkInTheGuest() throws Exception {
        GuestAssets guest = LinuxBootTest.guestOrSkip();
        Path initrd = dir.resolve("initrd.cpio.gz");
        guest.initramfs().withInitScript(SCRIPT).writeTo(initrd);
        Path socket = dir.resolve("hvc0.sock");
        VmSpec spec = new VmSpec(Optional.of(guest.firmware()), Optional.of(guest.kernel()), Optional.of(initrd),
                "console=ttyS0", 256 * MIB, 1)
                .withDevices(List.of(new RngSpec(), new ConsoleDeviceSpec(socket), new BalloonSpec()));
        ConsoleTranscript serial = new ConsoleTranscript();
        ConsoleTranscript hvc = new ConsoleTranscript();
        VmExit result;
        long filledResident;
        long balloonedResident;
        long fillBytes;
        try (Vm vm = Vm.create(spec, serial);
             SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            Thread.ofVirtual().start(() -> copy(client, hvc));
            CompletableFuture<VmExit> exit = Background.run(vm);
            int at = serial.await(InitramfsBuilder.READY_BANNER, 0, BOOT_TIMEOUT);

            hvc.await("guest-to-host-hello", 0, STEP_TIMEOUT);
            send(client, "host-to-guest-hi\n");
            at = serial.await("hvc-got host-to-guest-hi", at, STEP_TIMEOUT);

            at = serial.await("filled-and-freed", at, STEP_TIMEOUT);
            filledResident = vm.residentMemoryBytes();
            fillBytes = Long.parseLong(fields(serial.text(), "filled")[1]) * MIB;
            long target = fillBytes - KEPT_FREE;
            VirtioBalloon balloon = vm.balloon().orElseThrow();
            assertEquals(0, balloon.actualBytes(), "empty balloon before the host asks");
            vm.setBalloonTarget(target);
            await(() -> balloon.actualBytes() == target, "guest to inflate the balloon to " + target, balloon);
            balloonedResident = vm.residentMemoryBytes();

            BalloonStats first = balloon.stats();
            assertTrue(first.updates() >= 1, "the driver sent statistics at start: " + first);
            assertTrue(balloon.requestStats(), "the device holds the driver's stats buffer");
            await(() -> balloon.stats().updates() > first.updates(), "fresh statistics", balloon);
            long total = balloon.stats().values().getOrDefault("total-memory", 0L);
            assertTrue(total > 64 * MIB && total <= 256 * MIB, "guest total memory " + total);

            vm.setBalloonTarget(0);
            await(() -> balloon.actualBytes() == 0, "guest to deflate the balloon", balloon);

            send(client, "finish\n");
            serial.await("guest-test-done finish", at, STEP_TIMEOUT);
            result = exit.get(STEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        String text = serial.text();
        assertEquals(new VmExit.PowerOff(), result, text);
        assertTrue(field(text, "rng-current").startsWith("virtio_rng"), text);
        assertEquals("256", field(text, "rng-bytes"), "entropy read from /dev/hwrng");
        assertTrue(Integer.parseInt(field(text, "rng-distinct")) > 100, "256 random bytes vary: " + text);
        assertEquals("0", field(text, "filled"), text);
        assertTrue(fillBytes >= 64 * MIB, "the guest had at least 64 MiB available to fill: " + text);
        assertTrue(filledResident >= fillBytes, "the guest's file was resident: " + filledResident);
        long released = filledResident - balloonedResident;
        long asked = fillBytes - KEPT_FREE;
        assertTrue(released >= asked / 2, "inflating by " + asked / MIB + " MiB released only " + released / MIB
                + " MiB (" + filledResident / MIB + " -> " + balloonedResident / MIB + " MiB resident)");
        System.out.printf("balloon of %d MiB: resident %d -> %d MiB%n", asked / MIB, filledResident / MIB,
                balloonedResident / MIB);
        assertFalse(hvc.text().isEmpty());
    }

    private static void copy(SocketChannel client, ConsoleTranscript into) {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        try {
            while (client.read(buffer) >= 0) {
                into.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
        } catch (IOException e) {
            // closed at the end of the test
        }
    }

    private static void send(SocketChannel client, String line) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII));
        while (b.hasRemaining()) {
            client.write(b);
        }
    }

    private static void await(BooleanSupplier condition, String what, VirtioBalloon balloon)
            throws InterruptedException {
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; balloon actual "
                        + balloon.actualBytes() + ", target " + balloon.targetBytes());
            }
            Thread.sleep(50);
        }
    }

    private static String field(String text, String name) {
        return fields(text, name)[0];
    }

    /** The words after "name " on a line of its own in the transcript. */
    private static String[] fields(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (.+)$").matcher(text);
        if (!m.find()) {
            throw new AssertionError("no \"" + name + "\" line in the console output:\n" + text);
        }
        return m.group(1).trim().split("\\s+");
    }
}
