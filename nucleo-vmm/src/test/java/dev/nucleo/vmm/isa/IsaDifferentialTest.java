package dev.nucleo.vmm.isa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nucleo.cpu.Engine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Differential test: every deterministic program prints exactly the same on Nucleo, with
 * either engine, as on QEMU (the reference), and ends the same way. Both outputs are kept in
 * target/riscv-tests/NAME.qemu.out and NAME.nucleo.out for diffing.
 */
class IsaDifferentialTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nucleo.vmm.isa.IsaProgram#deterministicPrograms")
    void interpreterPrintsWhatQemuPrints(IsaProgram program) throws IOException {
        sameOutputAsQemu(program, Engine.INTERPRETER);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nucleo.vmm.isa.IsaProgram#deterministicPrograms")
    void translatorPrintsWhatQemuPrints(IsaProgram program) throws IOException {
        sameOutputAsQemu(program, Engine.TRANSLATOR);
    }

    private static void sameOutputAsQemu(IsaProgram program, Engine engine) throws IOException {
        Path elf = RiscvToolchain.build(program);
        QemuRunner.Result ref = QemuRunner.reference(elf);
        assertFalse(ref.timedOut(), () -> "reference run on QEMU did not end\n" + Outputs.report(ref.output()));
        assertEquals(program.ending().qemuStatus(), ref.status(), () -> "reference run on QEMU: exit status");

        NucleoRunner.Result r = NucleoRunner.run(elf, NucleoRunner.DEFAULT_TIMEOUT, engine);
        Path qemuOut = RiscvToolchain.outputDir().resolve(program.programName() + ".qemu.out");
        Path nucleoOut = RiscvToolchain.outputDir().resolve(program.programName() + "." + engine.name().toLowerCase()
                + ".nucleo.out");
        Files.writeString(qemuOut, ref.output(), StandardCharsets.ISO_8859_1);
        Files.writeString(nucleoOut, r.output(), StandardCharsets.ISO_8859_1);
        assertFalse(r.timedOut(), () -> program + " did not end on Nucleo\n" + Outputs.report(r.output()));
        String diff = Outputs.firstDifference(ref.output(), r.output());
        assertNull(diff, () -> program + ": " + diff + "\n   (full outputs: diff " + qemuOut + " " + nucleoOut + ")");
        assertTrue(program.ending().matches(r.exit()),
                () -> program + ": same output but Nucleo exited with " + r.exit() + ", expected " + program.ending());
    }
}
