package dev.nucleo.vmm.isa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The programs are sound ground truth: on QEMU each one ends as it should, all its
 * self-checks pass, and its output is the same from run to run.
 */
class IsaProgramsOnQemuTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nucleo.vmm.isa.IsaProgram#deterministicPrograms")
    void passesOnQemuDeterministically(IsaProgram program) {
        Path elf = RiscvToolchain.build(program);
        QemuRunner.Result ref = QemuRunner.reference(elf);
        assertFalse(ref.timedOut(), () -> program + " did not end on QEMU\n" + Outputs.report(ref.output()));
        assertEquals(program.ending().qemuStatus(), ref.status(),
                () -> program + ": QEMU exit status\nstderr: " + ref.stderr() + "\n" + Outputs.report(ref.output()));
        assertTrue(Outputs.failures(ref.output()).isEmpty(), () -> program + " on QEMU\n" + Outputs.report(ref.output()));
        if (program.selfChecking()) {
            assertTrue(Outputs.lines(ref.output()).contains(program.passLine()),
                    () -> program + " printed no " + program.passLine() + "\n" + Outputs.report(ref.output()));
        }
        QemuRunner.Result again = QemuRunner.run(elf, QemuRunner.DEFAULT_TIMEOUT);
        assertNull(Outputs.firstDifference(ref.output(), again.output()),
                () -> program + " is not deterministic on QEMU: "
                        + Outputs.firstDifference(ref.output(), again.output()));
    }

    @Test
    void crashProgramSpinsOnQemu() {
        Path elf = RiscvToolchain.build(IsaProgram.CRASH);
        QemuRunner.Result r = QemuRunner.run(elf, Duration.ofSeconds(2));
        assertTrue(r.timedOut(), () -> "QEMU ended the crash program (status " + r.status() + "):\n" + r.output());
        assertTrue(r.output().contains("crash: jumping to 40000000"), r.output());
        assertFalse(r.output().contains("still running"), r.output());
    }
}
