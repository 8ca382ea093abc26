package dev.nucleo.machine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class BoardDeviceTreeTest {
    private static final Path DTC = Path.of("/usr/bin/dtc");

    private static BoardConfig twoHarts() {
        return BoardConfig.virt(2, 256L << 20)
                .withBootargs("console=ttyS0 earlycon")
                .withInitrd(0x8800_0000L, 0x8820_0000L)
                .withVirtioSlots(List.of(1, 0));
    }

    /** Decompiles with dtc; fails on any dtc error or warning. */
    private static String decompile(byte[] dtb, Path dir) throws Exception {
        assumeTrue(Files.isExecutable(DTC), "dtc (device-tree-compiler) not installed");
        Path file = dir.resolve("board.dtb");
        Files.write(file, dtb);
        Process p = new ProcessBuilder(DTC.toString(), "-I", "dtb", "-O", "dts", file.toString())
                .redirectErrorStream(false).start();
        String dts = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        assertEquals("", err.strip(), "dtc warnings");
        // dtc 1.6 prints some string lists as one string with embedded NULs; normalise.
        return dts.replace("\\0", "\", \"");
    }

    @Test
    void decompilesWithTheExpectedNodes(@TempDir Path dir) throws Exception {
        String dts = decompile(BoardDeviceTree.build(twoHarts(), new byte[] {1, 2, 3, 4}), dir);
        for (String expected : List.of(
                "#address-cells = <0x02>;",
                "compatible = \"riscv-virtio\";",
                "chosen {",
                "bootargs = \"console=ttyS0 earlycon\";",
                "stdout-path = \"/soc/serial@10000000\";",
                "linux,initrd-start = <0x00 0x88000000>;",
                "linux,initrd-end = <0x00 0x88200000>;",
                "rng-seed = <0x1020304>;",
                "memory@80000000 {",
                "device_type = \"memory\";",
                "reg = <0x00 0x80000000 0x00 0x10000000>;",
                "timebase-frequency = <0x989680>;",
                "cpu@0 {",
                "cpu@1 {",
                "riscv,isa = \"rv64imafdc_zicsr_zifencei_zicntr_sstc\";",
                "riscv,isa-base = \"rv64i\";",
                "mmu-type = \"riscv,sv48\";",
                "compatible = \"riscv,cpu-intc\";",
                "cpu-map {",
                "cluster0 {",
                "core1 {",
                "compatible = \"simple-bus\";",
                "ranges;",
                "clint@2000000 {",
                "compatible = \"sifive,clint0\", \"riscv,clint0\";",
                "plic@c000000 {",
                "compatible = \"sifive,plic-1.0.0\", \"riscv,plic0\";",
                "riscv,ndev = <0x5f>;",
                "serial@10000000 {",
                "compatible = \"ns16550a\";",
                "interrupts = <0x0a>;",
                "rtc@101000 {",
                "compatible = \"google,goldfish-rtc\";",
                "interrupts = <0x0b>;",
                "test@100000 {",
                "compatible = \"sifive,test1\", \"sifive,test0\", \"syscon\";",
                "poweroff {",
                "compatible = \"syscon-poweroff\";",
                "value = <0x5555>;",
                "reboot {",
                "compatible = \"syscon-reboot\";",
                "value = <0x7777>;",
                "virtio_mmio@10001000 {",
                "virtio_mmio@10002000 {",
                "compatible = \"virtio,mmio\";",
                "interrupts = <0x02>;")) {
            assertTrue(dts.contains(expected), "missing: " + expected + "\n" + dts);
        }
        assertFalse(dts.contains("virtio_mmio@10003000"), "only the slots in use");
        assertTrue(dts.contains(
                "riscv,isa-extensions = \"i\", \"m\", \"a\", \"f\", \"d\", \"c\", \"zicsr\", \"zifencei\", \"zicntr\", \"sstc\";"),
                dts);
    }

    @Test
    void interruptWiringMatchesTheControllers(@TempDir Path dir) throws Exception {
        String dts = decompile(BoardDeviceTree.build(twoHarts()), dir);
        // Phandles: test=1, plic=2, cpu0=3, intc0=4, cpu1=5, intc1=6.
        assertTrue(dts.contains("interrupts-extended = <0x04 0x03 0x04 0x07 0x06 0x03 0x06 0x07>;"), dts);
        assertTrue(dts.contains("interrupts-extended = <0x04 0x0b 0x04 0x09 0x06 0x0b 0x06 0x09>;"), dts);
        assertTrue(dts.contains("interrupt-parent = <0x02>;"), dts);
        assertTrue(dts.contains("regmap = <0x01>;"), dts);
        assertTrue(dts.contains("cpu = <0x05>;"), dts);
        assertFalse(dts.contains("rng-seed"));
        assertFalse(dts.contains("virtio_mmio@10003000"));
    }

    @Test
    void minimalBoardHasNoOptionalProperties(@TempDir Path dir) throws Exception {
        String dts = decompile(BoardDeviceTree.build(BoardConfig.virt(1, 64L << 20)), dir);
        assertFalse(dts.contains("bootargs"));
        assertFalse(dts.contains("linux,initrd-start"));
        assertFalse(dts.contains("virtio_mmio"));
        assertTrue(dts.contains("stdout-path"));
    }

    /** Numeric properties, read with fdtget (dtc may print 0x384000 as the string "\08@"). */
    @Test
    void numericPropertiesReadBackWithFdtget(@TempDir Path dir) throws Exception {
        Path fdtget = Path.of("/usr/bin/fdtget");
        assumeTrue(Files.isExecutable(fdtget), "fdtget not installed");
        Path file = dir.resolve("board.dtb");
        Files.write(file, BoardDeviceTree.build(twoHarts()));
        assertEquals("3686400", run(fdtget.toString(), file.toString(), "/soc/serial@10000000", "clock-frequency"));
        assertEquals("10000000", run(fdtget.toString(), file.toString(), "/cpus", "timebase-frequency"));
        assertEquals("10", run(fdtget.toString(), file.toString(), "/soc/serial@10000000", "interrupts"));
        assertEquals("95", run(fdtget.toString(), file.toString(), "/soc/plic@c000000", "riscv,ndev"));
        assertEquals("0 80000000 0 10000000",
                run(fdtget.toString(), "-t", "x", file.toString(), "/memory@80000000", "reg"));
        assertEquals("i m a f d c zicsr zifencei zicntr sstc",
                run(fdtget.toString(), file.toString(), "/cpus/cpu@1", "riscv,isa-extensions"));
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void blobRoundTripsThroughDtc(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(DTC), "dtc not installed");
        byte[] dtb = BoardDeviceTree.build(twoHarts());
        Path in = dir.resolve("a.dtb");
        Path out = dir.resolve("b.dtb");
        Files.write(in, dtb);
        Process p = new ProcessBuilder(DTC.toString(), "-I", "dtb", "-O", "dtb", "-o", out.toString(), in.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), log);
        assertTrue(Files.size(out) > 0);
    }

    @Test
    void leavesRoomForFirmwareToGrowTheTree() {
        byte[] dtb = BoardDeviceTree.build(twoHarts());
        int total = java.nio.ByteBuffer.wrap(dtb).getInt(4);
        int stringsEnd = java.nio.ByteBuffer.wrap(dtb).getInt(12) + java.nio.ByteBuffer.wrap(dtb).getInt(32);
        assertEquals(dtb.length, total);
        assertEquals(BoardDeviceTree.FREE_SPACE, total - stringsEnd);
    }

    @Test
    void isaStringsAreParsedIntoExtensions() {
        assertEquals(List.of("i", "m", "a", "f", "d", "c", "zicsr", "zifencei", "zicntr"),
                BoardDeviceTree.isaExtensions("rv64imafdc_zicsr_zifencei_zicntr"));
        assertEquals(List.of("i", "m", "a", "f", "d", "c", "zicsr", "zifencei"),
                BoardDeviceTree.isaExtensions("rv64gc"));
        assertEquals(List.of("i", "m", "a", "zicsr"), BoardDeviceTree.isaExtensions("RV64IMAzicsr"));
        assertThrows(IllegalArgumentException.class, () -> BoardDeviceTree.isaExtensions("rv32imac"));
        assertThrows(IllegalArgumentException.class, () -> BoardDeviceTree.isaExtensions("rv64"));
        assertThrows(IllegalArgumentException.class, () -> BoardDeviceTree.isaExtensions("rv64i2p1"));
        assertThrows(IllegalArgumentException.class, () -> BoardDeviceTree.isaExtensions("rv64imac__zicsr"));
        assertThrows(IllegalArgumentException.class, () -> BoardDeviceTree.isaExtensions("rv64mac"));
        assertThrows(IllegalArgumentException.class, () -> BoardDeviceTree.isaExtensions("rv64i\"x"));
    }

    @Test
    void configIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> BoardConfig.virt(0, 1 << 20));
        assertThrows(IllegalArgumentException.class, () -> BoardConfig.virt(1, 0));
        assertThrows(IllegalArgumentException.class, () -> BoardConfig.virt(1, 1 << 20).withVirtioSlots(List.of(8)));
        assertThrows(IllegalArgumentException.class, () -> BoardConfig.virt(1, 1 << 20).withVirtioSlots(List.of(2, 2)));
        assertThrows(IllegalArgumentException.class,
                () -> BoardConfig.virt(1, 1 << 20).withInitrd(0x8000_1000L, 0x8000_0000L));
        assertThrows(IllegalArgumentException.class,
                () -> BoardConfig.virt(1, 1 << 20).withInitrd(0x8000_0000L, 0x8010_0001L));
        assertThrows(IllegalArgumentException.class,
                () -> BoardConfig.virt(1, 1 << 20).withInitrd(0x7000_0000L, 0x7000_0010L));
    }
}
