package dev.nucleo.machine;

import dev.nucleo.cpu.Interrupts;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Builds the device tree of the virt-compatible board: the nodes and properties OpenSBI's
 * generic platform and Linux look for on the "virt" board (cpus with their interrupt
 * controllers, memory, CLINT, PLIC, NS16550A, Goldfish RTC, sifive,test finisher with
 * syscon power-off/reboot, virtio-mmio slots, chosen).
 */
public final class BoardDeviceTree {
    /** The UART as console: stdout-path and alias serial0. */
    public static final String STDOUT_PATH = "/soc/serial@" + hex(VirtMemoryMap.UART0_BASE);
    /** Slack left in the blob so firmware can add nodes in place (OpenSBI does). */
    public static final int FREE_SPACE = 4096;

    private BoardDeviceTree() {
    }

    /** The DTB for {@code config}. */
    public static byte[] build(BoardConfig config) {
        return build(config, new byte[0]);
    }

    /** The DTB for {@code config}, with {@code /chosen/rng-seed} if {@code rngSeed} is not empty. */
    public static byte[] build(BoardConfig config, byte[] rngSeed) {
        List<String> extensions = isaExtensions(config.isa());
        Fdt fdt = new Fdt();
        int testPhandle = fdt.allocatePhandle();
        int plicPhandle = fdt.allocatePhandle();
        int[] cpuPhandles = new int[config.harts()];
        int[] intcPhandles = new int[config.harts()];
        for (int h = 0; h < config.harts(); h++) {
            cpuPhandles[h] = fdt.allocatePhandle();
            intcPhandles[h] = fdt.allocatePhandle();
        }

        fdt.beginNode("")
                .propertyU32("#address-cells", 2)
                .propertyU32("#size-cells", 2)
                .propertyString("compatible", "riscv-virtio")
                .propertyString("model", "riscv-virtio,nucleo");

        fdt.beginNode("chosen");
        if (!config.bootargs().isEmpty()) {
            fdt.propertyString("bootargs", config.bootargs());
        }
        fdt.propertyString("stdout-path", STDOUT_PATH);
        config.initrd().ifPresent(rd -> fdt
                .propertyU64("linux,initrd-start", rd.start())
                .propertyU64("linux,initrd-end", rd.end()));
        if (rngSeed.length > 0) {
            fdt.property("rng-seed", rngSeed.clone());
        }
        fdt.endNode();

        fdt.beginNode("aliases")
                .propertyString("serial0", STDOUT_PATH)
                .endNode();

        fdt.beginNode("memory@" + hex(config.ramBase()))
                .propertyString("device_type", "memory")
                .propertyU64("reg", config.ramBase(), config.ramSize())
                .endNode();

        cpus(fdt, config, extensions, cpuPhandles, intcPhandles);

        fdt.beginNode("poweroff")
                .propertyString("compatible", "syscon-poweroff")
                .propertyU32("regmap", testPhandle)
                .propertyU32("offset", 0)
                .propertyU32("value", TestFinisher.PASS)
                .endNode();
        fdt.beginNode("reboot")
                .propertyString("compatible", "syscon-reboot")
                .propertyU32("regmap", testPhandle)
                .propertyU32("offset", 0)
                .propertyU32("value", TestFinisher.RESET)
                .endNode();

        soc(fdt, config, testPhandle, plicPhandle, intcPhandles);

        fdt.endNode();
        return fdt.toByteArray(FREE_SPACE);
    }

    private static void cpus(Fdt fdt, BoardConfig config, List<String> extensions,
                             int[] cpuPhandles, int[] intcPhandles) {
        fdt.beginNode("cpus")
                .propertyU32("#address-cells", 1)
                .propertyU32("#size-cells", 0)
                .propertyU32("timebase-frequency", (int) config.timebaseHz());
        for (int h = 0; h < config.harts(); h++) {
            fdt.beginNode("cpu@" + Integer.toHexString(h))
                    .propertyString("device_type", "cpu")
                    .propertyU32("reg", h)
                    .propertyString("status", "okay")
                    .propertyString("compatible", "riscv")
                    .propertyString("riscv,isa", config.isa())
                    .propertyString("riscv,isa-base", "rv64i")
                    .propertyStrings("riscv,isa-extensions", extensions.toArray(String[]::new))
                    .propertyString("mmu-type", config.mmuType())
                    .propertyU32("phandle", cpuPhandles[h]);
            fdt.beginNode("interrupt-controller")
                    .propertyString("compatible", "riscv,cpu-intc")
                    .propertyU32("#interrupt-cells", 1)
                    .propertyU32("#address-cells", 0) // no interrupt-map parent addresses; dtc checks for it
                    .propertyEmpty("interrupt-controller")
                    .propertyU32("phandle", intcPhandles[h])
                    .endNode();
            fdt.endNode();
        }
        fdt.beginNode("cpu-map").beginNode("cluster0");
        for (int h = 0; h < config.harts(); h++) {
            fdt.beginNode("core" + h).propertyU32("cpu", cpuPhandles[h]).endNode();
        }
        fdt.endNode().endNode();
        fdt.endNode();
    }

    private static void soc(Fdt fdt, BoardConfig config, int testPhandle, int plicPhandle, int[] intcPhandles) {
        int harts = config.harts();
        fdt.beginNode("soc")
                .propertyU32("#address-cells", 2)
                .propertyU32("#size-cells", 2)
                .propertyString("compatible", "simple-bus")
                .propertyEmpty("ranges");

        fdt.beginNode("test@" + hex(VirtMemoryMap.TEST_BASE))
                .propertyStrings("compatible", "sifive,test1", "sifive,test0", "syscon")
                .propertyU64("reg", VirtMemoryMap.TEST_BASE, VirtMemoryMap.TEST_SIZE)
                .propertyU32("phandle", testPhandle)
                .endNode();

        fdt.beginNode("rtc@" + hex(VirtMemoryMap.RTC_BASE))
                .propertyString("compatible", "google,goldfish-rtc")
                .propertyU64("reg", VirtMemoryMap.RTC_BASE, VirtMemoryMap.RTC_SIZE)
                .propertyU32("interrupts", VirtMemoryMap.RTC_IRQ)
                .propertyU32("interrupt-parent", plicPhandle)
                .endNode();

        int[] clintIrqs = new int[4 * harts];
        for (int h = 0; h < harts; h++) {
            clintIrqs[4 * h] = intcPhandles[h];
            clintIrqs[4 * h + 1] = Interrupts.MSIP;
            clintIrqs[4 * h + 2] = intcPhandles[h];
            clintIrqs[4 * h + 3] = Interrupts.MTIP;
        }
        fdt.beginNode("clint@" + hex(VirtMemoryMap.CLINT_BASE))
                .propertyStrings("compatible", "sifive,clint0", "riscv,clint0")
                .propertyU64("reg", VirtMemoryMap.CLINT_BASE, VirtMemoryMap.CLINT_SIZE)
                .propertyCells("interrupts-extended", clintIrqs)
                .endNode();

        // Context 2h is hart h's M-mode (MEIP), 2h+1 its S-mode (SEIP), as in Plic.
        int[] plicIrqs = new int[4 * harts];
        for (int h = 0; h < harts; h++) {
            plicIrqs[4 * h] = intcPhandles[h];
            plicIrqs[4 * h + 1] = Interrupts.MEIP;
            plicIrqs[4 * h + 2] = intcPhandles[h];
            plicIrqs[4 * h + 3] = Interrupts.SEIP;
        }
        fdt.beginNode("plic@" + hex(VirtMemoryMap.PLIC_BASE))
                .propertyStrings("compatible", "sifive,plic-1.0.0", "riscv,plic0")
                .propertyU64("reg", VirtMemoryMap.PLIC_BASE, VirtMemoryMap.PLIC_SIZE)
                .propertyU32("#interrupt-cells", 1)
                .propertyU32("#address-cells", 0)
                .propertyEmpty("interrupt-controller")
                .propertyU32("riscv,ndev", Plic.SOURCES)
                .propertyCells("interrupts-extended", plicIrqs)
                .propertyU32("phandle", plicPhandle)
                .endNode();

        fdt.beginNode("serial@" + hex(VirtMemoryMap.UART0_BASE))
                .propertyString("compatible", "ns16550a")
                .propertyU64("reg", VirtMemoryMap.UART0_BASE, VirtMemoryMap.UART0_SIZE)
                .propertyU32("clock-frequency", VirtMemoryMap.UART0_CLOCK_HZ)
                .propertyU32("interrupts", VirtMemoryMap.UART0_IRQ)
                .propertyU32("interrupt-parent", plicPhandle)
                .endNode();

        for (int slot : config.virtioSlots().stream().sorted().toList()) {
            fdt.beginNode("virtio_mmio@" + hex(VirtMemoryMap.virtioBase(slot)))
                    .propertyString("compatible", "virtio,mmio")
                    .propertyU64("reg", VirtMemoryMap.virtioBase(slot), VirtMemoryMap.VIRTIO_STRIDE)
                    .propertyU32("interrupts", VirtMemoryMap.virtioIrq(slot))
                    .propertyU32("interrupt-parent", plicPhandle)
                    .endNode();
        }
        fdt.endNode();
    }

    /**
     * The riscv,isa-extensions list for an ISA string such as
     * {@code "rv64imafdc_zicsr_zifencei_zicntr"}: single-letter extensions in order
     * ({@code g} expanded to {@code imafd_zicsr_zifencei}), then the multi-letter ones.
     *
     * @throws IllegalArgumentException if the string is not an rv64 ISA string we can parse
     */
    public static List<String> isaExtensions(String isa) {
        String s = isa.toLowerCase(Locale.ROOT);
        if (!s.startsWith("rv64") || s.length() == 4 || !s.chars().allMatch(c ->
                (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
            throw new IllegalArgumentException("not an rv64 ISA string: \"" + isa + "\"");
        }
        Set<String> out = new LinkedHashSet<>();
        String[] parts = s.substring(4).split("_");
        String letters = parts[0];
        int i = 0;
        for (; i < letters.length(); i++) {
            char c = letters.charAt(i);
            if (c == 'z' || c == 's' || c == 'x') {
                break; // a multi-letter extension glued to the single letters
            }
            if (c < 'a' || c > 'z') {
                throw new IllegalArgumentException("unsupported ISA string (version numbers?): \"" + isa + "\"");
            }
            if (c == 'g') {
                out.addAll(List.of("i", "m", "a", "f", "d", "zicsr", "zifencei"));
            } else {
                out.add(String.valueOf(c));
            }
        }
        List<String> multi = new ArrayList<>();
        if (i < letters.length()) {
            multi.add(letters.substring(i));
        }
        for (int p = 1; p < parts.length; p++) {
            if (parts[p].isEmpty()) {
                throw new IllegalArgumentException("empty extension in ISA string \"" + isa + "\"");
            }
            multi.add(parts[p]);
        }
        if (!out.contains("i")) {
            throw new IllegalArgumentException("ISA string lacks the base I: \"" + isa + "\"");
        }
        // Single letters first in canonical order, then multi-letter names as given.
        List<String> result = new ArrayList<>();
        for (String l : out) {
            if (l.length() == 1) {
                result.add(l);
            }
        }
        for (String l : out) {
            if (l.length() > 1 && !multi.contains(l)) {
                result.add(l);
            }
        }
        for (String m : multi) {
            if (!result.contains(m)) {
                result.add(m);
            }
        }
        return List.copyOf(result);
    }

    private static String hex(long v) {
        return Long.toHexString(v);
    }
}
