package dev.nucleo.vmm.isa;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs a bare-metal ELF on QEMU's "virt" board, the reference for the differential tests:
 * {@code qemu-system-riscv64 -M virt -m 256 -smp 1 -nographic -monitor none -bios none
 * -kernel prog.elf}. The finisher makes QEMU exit (0 for pass, the code for failure).
 *
 * <p>The binary is {@code qemu-system-riscv64} from the PATH or the one named by the
 * environment variable {@code QEMU_SYSTEM_RISCV64}. Without it the tests fail: CI installs
 * it (Debian package {@code qemu-system-misc}).
 */
final class QemuRunner {
    static final String QEMU = "qemu-system-riscv64";
    static final String INSTALL_HINT = "install QEMU: apt-get install qemu-system-misc "
            + "(or point QEMU_SYSTEM_RISCV64 at a qemu-system-riscv64)";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** Terminal control sequences QEMU may write around the guest's output. */
    private static final Pattern ANSI = Pattern.compile("\u001b\\[[0-9;?]*[A-Za-z]|\u001bc");

    /** QEMU results by ELF, so several tests can share one reference run. */
    private static final Map<Path, Result> REFERENCE = new ConcurrentHashMap<>();

    /** What a run produced; {@code status} is -1 when QEMU had to be killed. */
    record Result(int status, String output, String stderr, boolean timedOut, Duration elapsed) {
    }

    private QemuRunner() {
    }

    static Path qemu() {
        String override = System.getenv("QEMU_SYSTEM_RISCV64");
        String name = override != null && !override.isBlank() ? override : QEMU;
        return RiscvToolchain.onPath(name).orElseGet(() -> fail(name + " not found; " + INSTALL_HINT));
    }

    /** One cached run per ELF (the ELF path includes the program name). */
    static Result reference(Path elf) {
        return REFERENCE.computeIfAbsent(elf, e -> run(e, DEFAULT_TIMEOUT));
    }

    static Result run(Path elf, Duration timeout) {
        Path qemu = qemu();
        List<String> cmd = List.of(qemu.toString(), "-M", "virt", "-m", "256", "-smp", "1",
                "-nographic", "-monitor", "none", "-bios", "none", "-kernel", elf.toString());
        long start = System.nanoTime();
        try {
            Process proc = new ProcessBuilder(cmd).start();
            proc.getOutputStream().close();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread outPump = pump(proc.getInputStream(), out, "qemu-stdout");
            Thread errPump = pump(proc.getErrorStream(), err, "qemu-stderr");
            boolean finished = proc.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                proc.destroyForcibly();
                proc.waitFor(10, TimeUnit.SECONDS);
            }
            outPump.join(5000);
            errPump.join(5000);
            String output = clean(out.toString(StandardCharsets.ISO_8859_1));
            return new Result(finished ? proc.exitValue() : -1, output,
                    err.toString(StandardCharsets.ISO_8859_1), !finished,
                    Duration.ofNanos(System.nanoTime() - start));
        } catch (IOException e) {
            throw new UncheckedIOException("running " + String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Removes terminal control sequences QEMU might add around the guest's output. */
    static String clean(String raw) {
        return ANSI.matcher(raw).replaceAll("");
    }

    private static Thread pump(InputStream in, ByteArrayOutputStream sink, String name) {
        return Thread.ofPlatform().name(name).daemon(true).start(() -> {
            try (in) {
                in.transferTo(sink);
            } catch (IOException ignored) {
                // the process went away; what we have is what there is
            }
        });
    }
}
