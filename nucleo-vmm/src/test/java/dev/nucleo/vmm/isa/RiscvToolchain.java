package dev.nucleo.vmm.isa;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Builds the ISA test programs with the bare-metal cross compiler (Debian package
 * {@code gcc-riscv64-unknown-elf}) into {@code target/riscv-tests/<name>.elf}. A program
 * is rebuilt only when a source, the shared runtime or the command line changed.
 *
 * <p>The compiler is {@code riscv64-unknown-elf-gcc} from the PATH, or the one named by the
 * environment variable {@code RISCV_GCC}. Without it the tests fail (they never skip):
 * CI installs the toolchain.
 */
final class RiscvToolchain {
    static final String GCC = "riscv64-unknown-elf-gcc";
    static final String INSTALL_HINT = "install the RISC-V bare-metal toolchain: "
            + "apt-get install gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf "
            + "(or point RISCV_GCC at a riscv64-unknown-elf-gcc)";

    private static final List<String> FLAGS = List.of(
            "-march=rv64gc", "-mabi=lp64d", "-mcmodel=medany",
            "-ffreestanding", "-fno-builtin", "-fno-tree-loop-distribute-patterns",
            "-nostdlib", "-nostartfiles", "-static",
            "-O1", "-g", "-Wall");
    private static final List<String> RUNTIME = List.of("common/crt0.S", "common/trap.S", "common/lib.c");

    private RiscvToolchain() {
    }

    /** The module directory (nucleo-vmm), also when tests run from the repository root. */
    static Path moduleDir() {
        String basedir = System.getProperty("basedir");
        Path dir = basedir != null ? Path.of(basedir) : Path.of("").toAbsolutePath();
        if (!Files.isDirectory(dir.resolve("src/test/riscv"))
                && Files.isDirectory(dir.resolve("nucleo-vmm/src/test/riscv"))) {
            dir = dir.resolve("nucleo-vmm");
        }
        return dir;
    }

    static Path sourceDir() {
        return moduleDir().resolve("src/test/riscv");
    }

    static Path outputDir() {
        return moduleDir().resolve("target/riscv-tests");
    }

    /** Finds the compiler or fails the test with how to install it. */
    static Path compiler() {
        String override = System.getenv("RISCV_GCC");
        if (override != null && !override.isBlank()) {
            Path p = Path.of(override);
            if (Files.isExecutable(p)) {
                return p;
            }
            return onPath(override).orElseGet(() -> fail("RISCV_GCC=" + override
                    + " is not an executable; " + INSTALL_HINT));
        }
        return onPath(GCC).orElseGet(() -> fail(GCC + " not found on the PATH; " + INSTALL_HINT));
    }

    static Optional<Path> onPath(String name) {
        if (name.contains(File.separator)) {
            Path p = Path.of(name);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Returns the ELF for the program, compiling it if it is missing or out of date. */
    static synchronized Path build(IsaProgram program) {
        Path gcc = compiler();
        Path src = sourceDir();
        Path common = src.resolve("common");
        Path out = outputDir();
        Path elf = out.resolve(program.programName() + ".elf");
        Path cmdFile = out.resolve(program.programName() + ".cmd");

        List<Path> inputs = new ArrayList<>();
        try (Stream<Path> files = Files.list(common)) {
            files.filter(Files::isRegularFile).sorted().forEach(inputs::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + common, e);
        }
        for (String s : program.sources()) {
            inputs.add(src.resolve(s));
        }

        Path tmp = out.resolve(program.programName() + ".elf.tmp" + ProcessHandle.current().pid());
        List<String> cmd = new ArrayList<>();
        cmd.add(gcc.toString());
        cmd.addAll(FLAGS);
        cmd.add("-I" + common);
        cmd.add("-T");
        cmd.add(common.resolve("link.ld").toString());
        cmd.add("-o");
        cmd.add(tmp.toString());
        for (String r : RUNTIME) {
            cmd.add(src.resolve(r).toString());
        }
        for (String s : program.sources()) {
            cmd.add(src.resolve(s).toString());
        }
        cmd.add("-lgcc");
        String cmdLine = String.join(" ", cmd).replace(tmp.toString(), elf.toString());

        try {
            Files.createDirectories(out);
            if (upToDate(elf, cmdFile, cmdLine, inputs)) {
                return elf;
            }
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            Process proc = pb.start();
            proc.getOutputStream().close();
            byte[] log = proc.getInputStream().readAllBytes();
            if (!proc.waitFor(180, TimeUnit.SECONDS)) {
                proc.destroyForcibly();
                fail("compiling " + program.programName() + " timed out");
            }
            if (proc.exitValue() != 0) {
                Files.deleteIfExists(tmp);
                fail("compiling " + program.programName() + " failed (exit " + proc.exitValue() + "):\n"
                        + cmdLine + "\n" + new String(log, StandardCharsets.UTF_8));
            }
            Files.move(tmp, elf, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.writeString(cmdFile, cmdLine);
            return elf;
        } catch (IOException e) {
            throw new UncheckedIOException("building " + program.programName(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building " + program.programName(), e);
        }
    }

    private static boolean upToDate(Path elf, Path cmdFile, String cmdLine, List<Path> inputs)
            throws IOException {
        if (!Files.isRegularFile(elf) || !Files.isRegularFile(cmdFile)) {
            return false;
        }
        if (!Files.readString(cmdFile).equals(cmdLine)) {
            return false;
        }
        FileTime built = Files.getLastModifiedTime(elf);
        for (Path in : inputs) {
            if (!Files.exists(in) || Files.getLastModifiedTime(in).compareTo(built) >= 0) {
                return false;
            }
        }
        return true;
    }
}
