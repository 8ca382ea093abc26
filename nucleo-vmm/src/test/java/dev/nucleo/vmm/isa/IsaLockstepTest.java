package dev.nucleo.vmm.isa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nucleo.cpu.Engine;
import dev.nucleo.cpu.Hart;
import dev.nucleo.cpu.Lockstep;
import dev.nucleo.vmm.Vm;
import dev.nucleo.vmm.VmConfigException;
import dev.nucleo.vmm.VmSpec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Interpreter and translator in lockstep on each ISA program: two identical VMs, the
 * translator's hart runs one block, the interpreter's hart as many instructions, and after
 * every block the whole architectural state must agree. Each program runs twice: with blocks
 * compiled on their first execution, so nearly all code runs translated, and with no block
 * ever compiled, so all of it runs in the translator's cold interpreter. IRQ is left out: its
 * timer interrupts come from the host clock, at different instructions in the two VMs.
 */
class IsaLockstepTest {
    private static final long MAX_BLOCKS = 20_000_000;

    static Stream<Arguments> programs() {
        return Stream.of(IsaProgram.values()).filter(p -> p != IsaProgram.IRQ)
                .flatMap(p -> Stream.of(Arguments.of(p, true), Arguments.of(p, false)));
    }

    @ParameterizedTest(name = "{0}, compiled: {1}")
    @MethodSource("programs")
    void translatorAgreesWithInterpreterAfterEveryBlock(IsaProgram program, boolean compiled) throws VmConfigException {
        Path elf = RiscvToolchain.build(program);
        ByteArrayOutputStream referenceOut = new ByteArrayOutputStream();
        ByteArrayOutputStream translatedOut = new ByteArrayOutputStream();
        try (Vm referenceVm = Vm.create(spec(elf), referenceOut); Vm translatedVm = Vm.create(spec(elf), translatedOut)) {
            Hart reference = referenceVm.hart(0);
            Hart translated = translatedVm.hart(0);
            reference.setEngine(Engine.INTERPRETER);
            translated.setEngine(Engine.TRANSLATOR);
            translated.compileSynchronously(compiled ? 1 : Integer.MAX_VALUE);
            Lockstep lockstep = new Lockstep(reference, translated);
            long blocks = 0;
            while (!lockstep.finished()) {
                Lockstep.Divergence d = lockstep.step();
                if (d != null) {
                    fail(program + ": " + d + " (block " + blocks + ")\n" + Outputs.report(text(translatedOut)));
                }
                if (++blocks > MAX_BLOCKS) {
                    fail(program + " did not finish within " + MAX_BLOCKS + " blocks\n" + Outputs.report(text(translatedOut)));
                }
            }
            assertEquals(text(referenceOut), text(translatedOut), program + ": console output");
            if (compiled) {
                assertNotEquals(0, translated.compiledBlocks(), program + ": nothing was compiled");
            } else {
                assertEquals(0, translated.compiledBlocks(), program + ": compiled");
            }
            if (program.selfChecking()) {
                assertTrue(Outputs.lines(text(translatedOut)).contains(program.passLine()),
                        () -> program + " printed no " + program.passLine() + "\n" + Outputs.report(text(translatedOut)));
            }
        }
    }

    private static VmSpec spec(Path elf) {
        return new VmSpec(Optional.of(elf), Optional.empty(), Optional.empty(), VmSpec.DEFAULT_CMDLINE,
                VmSpec.DEFAULT_MEMORY, 1);
    }

    private static String text(ByteArrayOutputStream out) {
        return out.toString(StandardCharsets.ISO_8859_1);
    }
}
