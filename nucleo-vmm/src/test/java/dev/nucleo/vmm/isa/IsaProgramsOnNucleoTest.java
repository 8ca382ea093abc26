package dev.nucleo.vmm.isa;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nucleo.cpu.Engine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each program on Nucleo's interpreter (the reference engine) ends the way it must (power-off, failure 42, or a guest crash)
 * and, when self-checking, prints its PASS line and no failed check.
 */
class IsaProgramsOnNucleoTest {

    @ParameterizedTest(name = "{0}")
    @EnumSource(IsaProgram.class)
    void runsOnNucleo(IsaProgram program) {
        NucleoRunner.Result r = NucleoRunner.run(RiscvToolchain.build(program), NucleoRunner.DEFAULT_TIMEOUT,
                Engine.INTERPRETER);
        assertFalse(r.timedOut(), () -> program + " did not end within " + NucleoRunner.DEFAULT_TIMEOUT.toSeconds()
                + " s on Nucleo (stopped: " + r.exit() + ")\n" + Outputs.report(r.output()));
        assertTrue(program.ending().matches(r.exit()), () -> program + ": expected " + program.ending()
                + " but the VM exited with " + r.exit() + "\n" + Outputs.report(r.output()));
        assertTrue(Outputs.failures(r.output()).isEmpty(), () -> program + " on Nucleo\n" + Outputs.report(r.output()));
        if (program.selfChecking()) {
            assertTrue(Outputs.lines(r.output()).contains(program.passLine()),
                    () -> program + " printed no " + program.passLine() + "\n" + Outputs.report(r.output()));
        }
        switch (program) {
            case FAIL42 -> assertTrue(r.output().contains("fail42: reporting failure code 42"), r.output());
            case CRASH -> {
                assertTrue(r.output().contains("crash: jumping to 40000000"), r.output());
                assertFalse(r.output().contains("still running"), r.output());
            }
            default -> {
            }
        }
    }
}
