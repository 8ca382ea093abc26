package dev.nucleo.vmm;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nucleo.virtio.net.TapNetBackend;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The TAP backend against the real Linux driver, inside a test-only network namespace: frames
 * the namespace's kernel sends arrive, frames we send are counted by the interface.
 */
class TapNetBackendTest {
    @Test
    void framesFlowBothWaysThroughAHostTapDevice() throws Exception {
        try (NetNamespace ns = NetNamespace.createOrSkip("nucleo-tap")) {
            BlockingQueue<byte[]> got = new LinkedBlockingQueue<>();
            try (TapNetBackend tap = ns.call(() -> TapNetBackend.open("ntap0"))) {
                tap.start(got::add);
                ns.exec("ip", "addr", "add", "10.99.0.1/24", "dev", "ntap0");
                ns.exec("ip", "link", "set", "ntap0", "up");
                // A datagram to 10.99.0.2 makes the namespace's kernel ask who has it: an ARP
                // request reaches us. (bash's /dev/udp: hosts need not have ping.)
                ns.exec("bash", "-c", "echo hello > /dev/udp/10.99.0.2/9");
                byte[] arp = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (arp == null && System.nanoTime() < deadline) {
                    byte[] f = got.poll(1, TimeUnit.SECONDS);
                    if (f != null && f.length >= 42 && f[12] == 0x08 && f[13] == 0x06) {
                        arp = f;
                    }
                }
                assertTrue(arp != null, "an ARP request from the namespace arrived");

                long before = rxPackets(ns);
                byte[] frame = new byte[60];
                for (int i = 0; i < 6; i++) {
                    frame[i] = (byte) 0xff; // broadcast
                }
                frame[6] = 0x52;
                frame[7] = 0x54;
                frame[11] = 0x01;
                frame[12] = (byte) 0x88; // a local experimental EtherType: the kernel counts it, nothing answers
                frame[13] = (byte) 0xb5;
                tap.send(frame);
                tap.send(frame);
                TestWait.until(() -> rxPackets(ns) >= before + 2, "the interface to count our frames");
            }
        }
    }

    @Test
    void aBadInterfaceNameIsAClearError() {
        IOException e = assertThrows(IOException.class, () -> TapNetBackend.open("this-name-is-too-long"));
        assertTrue(e.getMessage().contains("TAP interface name"), e.getMessage());
    }

    private static long rxPackets(NetNamespace ns) {
        try {
            String out = ns.exec("cat", "/sys/class/net/ntap0/statistics/rx_packets");
            return Long.parseLong(out.trim());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Polls a condition for up to ten seconds. */
    static final class TestWait {
        interface Check {
            boolean ok() throws Exception;
        }

        static void until(Check check, String what) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!check.ok()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("timed out waiting for " + what);
                }
                Thread.sleep(20);
            }
        }
    }
}
