package dev.nucleo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Tiny bare-metal RV64 guests assembled at test time with the RISC-V cross toolchain
 * ({@code riscv64-unknown-elf-gcc}, or {@code $RISCV_GCC}), linked at the RAM base where
 * the firmware runs. Without the toolchain the tests fail: CI installs it.
 */
final class BareMetalGuests {
    static final String GCC = "riscv64-unknown-elf-gcc";
    private static final String INSTALL_HINT = "install the RISC-V bare-metal toolchain (apt-get install"
            + " gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf) or point RISCV_GCC at a riscv64-unknown-elf-gcc";

    /** Writes {@code value} to the test finisher, then waits forever (the finisher ends the VM). */
    private static final String FINISHER = """
                .globl _start
            _start:
                li t0, 0x100000
                li t1, VALUE
                sw t1, 0(t0)
            1:  j 1b
            """;

    /** mtvec at an address with nothing behind it, then a jump to another such address. */
    private static final String JUMP_INTO_NOWHERE = """
                .globl _start
            _start:
                li t0, 0x40000000
                csrw mtvec, t0
                li t1, 0x50000000
                jr t1
            """;

    /** mtvec points at an illegal instruction (zeroed RAM), then the guest executes one. */
    private static final String TRAP_STORM = """
                .globl _start
            _start:
                la t0, handler
                csrw mtvec, t0
                .word 0
                .balign 4
            handler:
                .word 0
            """;

    private BareMetalGuests() {
    }

    /** A guest that ends by writing {@code value} to the test finisher at 0x100000. */
    static Path finisher(Path dir, String name, int value) {
        return assemble(dir, name, FINISHER.replace("VALUE", String.format("0x%x", value)));
    }

    /** A guest that jumps to unmapped memory with its trap vector unmapped too. */
    static Path jumpIntoNowhere(Path dir) {
        return assemble(dir, "nowhere", JUMP_INTO_NOWHERE);
    }

    /** A guest whose trap handler is itself an illegal instruction. */
    static Path trapStorm(Path dir) {
        return assemble(dir, "storm", TRAP_STORM);
    }

    private static Path assemble(Path dir, String name, String source) {
        Path gcc = compiler();
        Path asm = dir.resolve(name + ".S");
        Path elf = dir.resolve(name + ".elf");
        try {
            Files.writeString(asm, source);
            // -N: one segment at exactly 0x80000000, without the ELF headers mapped below RAM.
            Process process = new ProcessBuilder(gcc.toString(), "-march=rv64gc", "-mabi=lp64d", "-nostdlib",
                    "-nostartfiles", "-static", "-Wl,-N", "-Wl,-Ttext=0x80000000", "-o", elf.toString(),
                    asm.toString()).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("assembling " + name + " timed out");
            }
            assertEquals(0, process.exitValue(), "assembling " + name + " failed:\n" + log);
            return elf;
        } catch (IOException e) {
            return fail("cannot run " + gcc + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted while assembling " + name);
        }
    }

    private static Path compiler() {
        String override = System.getenv("RISCV_GCC");
        String name = override != null && !override.isBlank() ? override : GCC;
        return find(name).orElseGet(() -> fail(name + " not found; " + INSTALL_HINT));
    }

    private static Optional<Path> find(String name) {
        if (name.contains(File.separator)) {
            Path p = Path.of(name);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        List<Path> candidates = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, name));
            }
        }
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }
}
