package dev.nucleo.vmm.guest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelModulesTest {
    @TempDir
    Path tmp;

    @Test
    void dependenciesLoadFirstAndOnce() {
        Map<String, List<String>> depends = Map.of(
                "ext4", List.of("jbd2", "mbcache", "crc16"),
                "jbd2", List.of(), "mbcache", List.of(), "crc16", List.of(),
                "virtio_net", List.of("net_failover"), "net_failover", List.of("failover"), "failover", List.of());
        assertEquals(List.of("failover", "net_failover", "virtio_net", "jbd2", "mbcache", "crc16", "ext4"),
                KernelModules.loadOrder(depends, List.of("virtio_net", "ext4", "jbd2")));
    }

    @Test
    void modulesNotInTheKernelAreLeftOut() {
        assertEquals(List.of("a"), KernelModules.loadOrder(Map.of("a", List.of("builtin")), List.of("a", "absent")));
    }

    @Test
    void cyclesDoNotLoopForever() {
        assertEquals(2, KernelModules.loadOrder(Map.of("a", List.of("b"), "b", List.of("a")), List.of("a")).size());
    }

    @Test
    void dashAndUnderscoreAreTheSameName() {
        assertEquals("virtio_rng", KernelModules.canonical("virtio-rng"));
    }

    @Test
    void prepareDecompressesWantedModulesAndWritesTheLoadOrder() throws IOException {
        Path dir = tmp.resolve("6.12.0-riscv64");
        byte[] ext4 = TestModules.module(List.of("depends=jbd2,mbcache", "name=ext4"));
        write(dir.resolve("kernel/fs/ext4/ext4.ko.xz"), TestModules.xz(ext4));
        write(dir.resolve("kernel/fs/jbd2/jbd2.ko.xz"), TestModules.xz(TestModules.module(List.of("depends="))));
        write(dir.resolve("kernel/fs/mbcache.ko.xz"), TestModules.xz(TestModules.module(List.of("depends="))));
        write(dir.resolve("kernel/drivers/char/hw_random/virtio-rng.ko.xz"),
                TestModules.xz(TestModules.module(List.of("depends="))));
        write(dir.resolve("kernel/drivers/unrelated.ko.xz"), TestModules.xz(TestModules.module(List.of("depends="))));

        List<String> notes = new ArrayList<>();
        List<String> order = KernelModules.prepare(dir, notes::add);

        assertEquals(List.of("kernel/drivers/char/hw_random/virtio-rng.ko", "kernel/fs/jbd2/jbd2.ko",
                "kernel/fs/mbcache.ko", "kernel/fs/ext4/ext4.ko"), order);
        assertArrayEquals(ext4, Files.readAllBytes(dir.resolve("kernel/fs/ext4/ext4.ko")));
        assertTrue(Files.exists(dir.resolve("kernel/fs/ext4/ext4.ko.xz")), "the tree is kept as it was");
        assertTrue(Files.notExists(dir.resolve("kernel/drivers/unrelated.ko")), "only what the guest loads");
        assertEquals(order.stream().map(dir::resolve).toList(), KernelModules.readLoadOrder(dir));
        assertTrue(notes.stream().anyMatch(n -> n.contains("virtio_mmio")), "missing modules are noted: " + notes);
    }

    private static void write(Path file, byte[] data) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, data);
    }
}
