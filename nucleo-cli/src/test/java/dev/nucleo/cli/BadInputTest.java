package dev.nucleo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nucleo run} given bad input: each mistake ends with its own exit status and one
 * clear line on stderr, before any guest runs (stdout, the guest's console, stays empty)
 * and before the default guest would be fetched. The files are made up here; the same
 * checks against the real Debian kernel are in {@link RealKernelBadInputTest}.
 */
class BadInputTest {
    @TempDir
    Path tmp;

    private static CliRun run(String... args) {
        String[] full = new String[args.length + 1];
        full[0] = "run";
        System.arraycopy(args, 0, full, 1, args.length);
        CliRun run = CliRun.of(full);
        assertEquals("", run.out(), "nothing may boot: " + run);
        return run;
    }

    private Path file(String name, byte[] content) throws IOException {
        return Files.write(tmp.resolve(name), content);
    }

    private String path(String name) {
        return tmp.resolve(name).toString();
    }

    @Test
    void missingFilesExitWith66AndNameTheirRole() throws IOException {
        run("--kernel", path("no-Image")).expect(66, "kernel", "no-Image", "no such file");
        run("--firmware", path("no-fw.bin")).expect(66, "firmware", "no-fw.bin", "no such file");
        run("--initrd", path("no-initrd")).expect(66, "initrd", "no-initrd", "no such file");
        Path firmware = file("fw.bin", new byte[] {0x6f, 0, 0, 0});
        run("--firmware", firmware.toString(), "--kernel", path("gone")).expect(66, "kernel", "gone");
        run("--kernel", tmp.toString()).expect(66, "kernel", "not a regular file");
    }

    @Test
    void emptyFilesAreBadImages() throws IOException {
        Path empty = file("empty", new byte[0]);
        run("--kernel", empty.toString()).expect(65, "kernel", "is empty");
        run("--firmware", empty.toString()).expect(65, "firmware", "is empty");
        run("--kernel", file("Image", KernelImages.plain(4096, 8192)).toString(), "--initrd", empty.toString())
                .expect(65, "initrd", "is empty");
    }

    @Test
    void truncatedKernelsAreBadImages() throws IOException {
        Path headerOnly = file("header-only", KernelImages.plain(64, 1 << 20));
        run("--kernel", headerOnly.toString()).expect(65, "kernel", "truncated");
        Path tooShortForAHeader = file("short", new byte[40]);
        run("--kernel", tooShortForAHeader.toString()).expect(65, "kernel", "too short for a RISC-V Image header");

        byte[] whole = KernelImages.efiStub(0x2000);
        run("--kernel", file("cut-in-body", Arrays.copyOf(whole, 0x1800)).toString())
                .expect(65, "kernel", "truncated", "6144 bytes", "8192");
        run("--kernel", file("cut-in-pe-header", Arrays.copyOf(whole, 0x50)).toString())
                .expect(65, "kernel", "truncated", "PE/COFF headers");
    }

    @Test
    void randomBytesAreNotAKernel() throws IOException {
        byte[] noise = new byte[64 << 10];
        new Random(42).nextBytes(noise);
        Path kernel = file("noise.bin", noise);
        run("--kernel", kernel.toString()).expect(65, "kernel", "noise.bin", "not a RISC-V Linux Image");
        Path firmware = file("fw.bin", new byte[] {0x6f, 0, 0, 0});
        run("--firmware", firmware.toString(), "--kernel", kernel.toString()).expect(65, "not a RISC-V Linux Image");
    }

    @Test
    void elfForAnotherMachineNamesIt() throws IOException {
        Path x86 = file("x86-64.elf", KernelImages.elfHeader(2, 62));
        run("--firmware", x86.toString()).expect(65, "firmware", "ELF for x86-64", "expected RISC-V");
        run("--kernel", x86.toString()).expect(65, "kernel", "ELF for x86-64", "expected RISC-V");
        Path arm = file("aarch64.elf", KernelImages.elfHeader(2, 183));
        run("--kernel", arm.toString()).expect(65, "ELF for AArch64");
    }

    /** The host's own /bin/true: an ELF for whatever machine this is, never RV64 in practice. */
    @Test
    void hostExecutableIsRejectedByItsMachine() {
        Path trueBinary = Path.of("/bin/true");
        String machine = Map.of("amd64", "x86-64", "x86_64", "x86-64", "aarch64", "AArch64")
                .get(System.getProperty("os.arch"));
        assumeTrue(machine != null && Files.isReadable(trueBinary), "needs /bin/true of an x86-64 or AArch64 host");
        run("--firmware", trueBinary.toString()).expect(65, "firmware /bin/true", "ELF for " + machine);
        run("--kernel", trueBinary.toString()).expect(65, "kernel /bin/true", "ELF for " + machine);
    }

    @Test
    void thirtyTwoBitElfIsRejected() throws IOException {
        Path rv32 = file("rv32.elf", KernelImages.elfHeader(1, 243));
        run("--firmware", rv32.toString()).expect(65, "32-bit ELF for RISC-V (RV32)", "64-bit");
        Path i386 = file("i386.elf", KernelImages.elfHeader(1, 3));
        run("--kernel", i386.toString()).expect(65, "32-bit ELF for x86 (i386)");
    }

    @Test
    void memoryOutOfRangeIsAUsageError() throws IOException {
        run("--memory", "1M").expect(64, "--memory 1 MiB is too small", "at least 16 MiB");
        run("--memory", "100T").expect(64, "--memory 100 TiB is more than this host has");
        run("--memory", "4097").expect(64, "multiple of 4 KiB");

        Path bigFirmware = tmp.resolve("big-fw.bin");
        try (RandomAccessFile f = new RandomAccessFile(bigFirmware.toFile(), "rw")) {
            f.setLength(20L << 20);
        }
        // 20 MiB of firmware at the RAM base, then the device tree's 2 MiB window on top.
        run("--firmware", bigFirmware.toString(), "--memory", "16M")
                .expect(64, "--memory 16 MiB is too small for this firmware", "at least 22 MiB");
    }

    @Test
    void malformedSizesAreUsageErrors() {
        run("--memory", "abc").expect(64, "'abc' is not a size", "--help");
        run("--memory", "-5M").expect(64, "'-5M' is not a size");
        run("--memory", "0").expect(64, "more than 0");
        run("--memory", "1.5G").expect(64, "'1.5G' is not a size");
    }

    @Test
    void cpuCountOutOfRangeIsAUsageError() {
        for (String cpus : new String[] {"0", "-1", "1000"}) {
            run("--cpus", cpus).expect(64, "--cpus must be between 1 and 32, not " + cpus);
        }
        run("--cpus", "two").expect(64, "'two' is not an int");
    }

    @Test
    void mistypedOptionIsOneLineWithASuggestion() {
        run("--memroy", "1G").expect(64, "'--memroy'", "did you mean --memory?");
    }
}
