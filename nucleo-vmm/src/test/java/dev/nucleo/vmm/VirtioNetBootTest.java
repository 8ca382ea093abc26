package dev.nucleo.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nucleo.vmm.guest.GuestAssets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two stock-kernel guests joined by a stream link (one listens, the other connects) ping
 * each other and move a file over TCP with busybox nc. The addresses exist only inside the
 * two guests and the test's own socket.
 */
@Tag("guest")
@Execution(ExecutionMode.CONCURRENT)
class VirtioNetBootTest {
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(8);
    private static final int PAYLOAD_BYTES = 256 << 10;

    /** Brings eth0 up at {@code %1$s}, waits until {@code %2$s} answers, pings it three times. */
    private static final String SETUP = """
            ip link set eth0 up
            ip addr add %1$s/24 dev eth0
            echo "mac $(cat /sys/class/net/eth0/address)"
            i=0
            until ping -c 1 -W 1 %2$s >/dev/null 2>&1; do
                i=$((i + 1)); [ $i -ge 120 ] && break
            done
            echo "pings $(ping -c 3 %2$s | grep -c 'bytes from')"
            """;

    private static final String SENDER = SETUP.formatted("10.0.2.1", "10.0.2.2") + """
            i=0
            until nc -w 3 10.0.2.2 5000 < /etc/payload; do
                i=$((i + 1)); [ $i -ge 60 ] && break
                sleep 1
            done
            echo "sent $i"
            echo "net-test-done"
            """;

    private static final String RECEIVER = SETUP.formatted("10.0.2.2", "10.0.2.1") + """
            nc -l -p 5000 > /tmp/got
            echo "received $(sha256sum < /tmp/got | cut -d ' ' -f 1)"
            echo "net-test-done"
            """;

    @TempDir
    Path dir;

    @Test
    void twoGuestsPingAndMoveAFileOverAStreamLink() throws Exception {
        GuestAssets guest = LinuxBootTest.guestOrSkip();
        byte[] payload = new byte[PAYLOAD_BYTES];
        new Random(7).nextBytes(payload);
        Path link = dir.resolve("link.sock");
        Path senderInitrd = dir.resolve("sender.cpio.gz");
        Path receiverInitrd = dir.resolve("receiver.cpio.gz");
        guest.initramfs().withFile("/etc/payload", payload, 0644).withInitScript(SENDER).writeTo(senderInitrd);
        guest.initramfs().withInitScript(RECEIVER).writeTo(receiverInitrd);

        NicSpec listening = new NicSpec(new NicSpec.StreamListen(link));
        NicSpec connecting = new NicSpec(new NicSpec.StreamConnect(link));
        ConsoleTranscript senderConsole = new ConsoleTranscript();
        ConsoleTranscript receiverConsole = new ConsoleTranscript();
        VmExit senderExit;
        VmExit receiverExit;
        // The listener must exist before the other side connects; both then boot together.
        // A thread each (the common pool may have a single worker and run them one after the
        // other); closed last, after the VMs have been stopped.
        try (ExecutorService runners = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().factory());
             Vm sender = Vm.create(spec(guest, senderInitrd, listening), senderConsole);
             Vm receiver = Vm.create(spec(guest, receiverInitrd, connecting), receiverConsole)) {
            Future<VmExit> a = runners.submit(sender::run);
            Future<VmExit> b = runners.submit(receiver::run);
            senderExit = a.get(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            receiverExit = b.get(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        String senderText = senderConsole.text();
        String receiverText = receiverConsole.text();
        String both = "sender:\n" + senderText + "\nreceiver:\n" + receiverText;
        assertEquals(new VmExit.PowerOff(), senderExit, both);
        assertEquals(new VmExit.PowerOff(), receiverExit, both);
        assertEquals(listening.mac().toString(), field(senderText, "mac"), "sender's MAC from the spec");
        assertEquals(connecting.mac().toString(), field(receiverText, "mac"), "receiver's MAC from the spec");
        assertEquals("3", field(senderText, "pings"), "sender's pings answered\n" + both);
        assertEquals("3", field(receiverText, "pings"), "receiver's pings answered\n" + both);
        assertEquals(sha256(payload), field(receiverText, "received"), "file arrived intact\n" + both);
    }

    private static VmSpec spec(GuestAssets guest, Path initrd, NicSpec nic) {
        return new VmSpec(Optional.of(guest.firmware()), Optional.of(guest.kernel()), Optional.of(initrd),
                "console=ttyS0", VmSpec.DEFAULT_MEMORY, 1).withDevices(List.of(nic));
    }

    /** The first word after "name " on a line of its own in the transcript. */
    private static String field(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)").matcher(text);
        if (!m.find()) {
            throw new AssertionError("no \"" + name + "\" line in the console output:\n" + text);
        }
        return m.group(1);
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
