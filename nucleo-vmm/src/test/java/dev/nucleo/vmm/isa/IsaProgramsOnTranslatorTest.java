package dev.nucleo.vmm.isa;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nucleo.cpu.Engine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every ISA program ends the same way with the translator as with the interpreter
 * ({@link IsaProgramsOnNucleoTest}'s checks), whatever NUCLEO_ENGINE says.
 */
class IsaProgramsOnTranslatorTest {

    @ParameterizedTest(name = "{0}")
    @EnumSource(IsaProgram.class)
    void runsWithTranslator(IsaProgram program) {
        NucleoRunner.Result r = NucleoRunner.run(RiscvToolchain.build(program), NucleoRunner.DEFAULT_TIMEOUT,
                Engine.TRANSLATOR);
        assertFalse(r.timedOut(), () -> program + " did not end with the translator (stopped: " + r.exit() + ")\n"
                + Outputs.report(r.output()));
        assertTrue(program.ending().matches(r.exit()), () -> program + ": expected " + program.ending()
                + " but the VM exited with " + r.exit() + "\n" + Outputs.report(r.output()));
        assertTrue(Outputs.failures(r.output()).isEmpty(), () -> program + " with the translator\n"
                + Outputs.report(r.output()));
        if (program.selfChecking()) {
            assertTrue(Outputs.lines(r.output()).contains(program.passLine()),
                    () -> program + " printed no " + program.passLine() + "\n" + Outputs.report(r.output()));
        }
    }
}
