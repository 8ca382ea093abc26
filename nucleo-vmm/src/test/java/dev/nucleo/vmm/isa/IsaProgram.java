package dev.nucleo.vmm.isa;

import dev.nucleo.vmm.VmExit;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The bare-metal ISA test programs under {@code src/test/riscv}: which sources make each
 * one, how it must end, and whether its output is the same on every correct machine (so
 * it can be compared with QEMU's).
 *
 * <p>Every program links with the shared runtime in {@code src/test/riscv/common}.
 * Self-checking programs print one line per check ending in "ok" or "FAIL ..." and finish
 * with "PASS name" (or "FAIL name: N check(s) failed" and failure code 1).
 */
enum IsaProgram {
    RV64IM("rv64im", Ending.POWER_OFF, true, "rv64im.c"),
    RV64A("rv64a", Ending.POWER_OFF, true, "rv64a.c"),
    FPU("fpu", Ending.POWER_OFF, true, "fpu.c"),
    RVC("rvc", Ending.POWER_OFF, true, "rvc_ops.S", "rvc.c"),
    TRAPS("traps", Ending.POWER_OFF, true, "traps.c"),
    VM("vm", Ending.POWER_OFF, true, "vm.c", "vm_user.S"),
    IRQ("irq", Ending.POWER_OFF, true, "irq.c"),
    HELLO("hello", Ending.POWER_OFF, true, "hello.c"),
    FAIL42("fail42", Ending.FAILURE_42, false, "fail42.c"),
    CRASH("crash", Ending.GUEST_CRASH, false, "crash.c");

    /** How a program must end. */
    enum Ending {
        /** Finisher 0x5555; QEMU exits with status 0. */
        POWER_OFF,
        /** Finisher 0x3333 | 42 << 16; QEMU exits with status 42. */
        FAILURE_42,
        /** The guest traps forever; Nucleo must report a crash (QEMU just spins). */
        GUEST_CRASH;

        boolean matches(VmExit exit) {
            return switch (this) {
                case POWER_OFF -> exit instanceof VmExit.PowerOff;
                case FAILURE_42 -> exit instanceof VmExit.GuestFailure(int code) && code == 42;
                case GUEST_CRASH -> exit instanceof VmExit.GuestCrash;
            };
        }

        /** QEMU's exit status for this ending, or -1 when QEMU never ends by itself. */
        int qemuStatus() {
            return switch (this) {
                case POWER_OFF -> 0;
                case FAILURE_42 -> 42;
                case GUEST_CRASH -> -1;
            };
        }
    }

    private final String programName;
    private final Ending ending;
    private final boolean selfChecking;
    private final List<String> sources;

    IsaProgram(String programName, Ending ending, boolean selfChecking, String... sources) {
        this.programName = programName;
        this.ending = ending;
        this.selfChecking = selfChecking;
        this.sources = Arrays.asList(sources);
    }

    String programName() {
        return programName;
    }

    Ending ending() {
        return ending;
    }

    /** Prints "PASS name" when all its checks hold. */
    boolean selfChecking() {
        return selfChecking;
    }

    /** Sources relative to src/test/riscv, besides the shared runtime. */
    List<String> sources() {
        return sources;
    }

    /** Ends by itself on QEMU with the same output on every run. */
    boolean deterministic() {
        return ending.qemuStatus() >= 0;
    }

    String passLine() {
        return "PASS " + programName;
    }

    static Stream<IsaProgram> deterministicPrograms() {
        return Arrays.stream(values()).filter(IsaProgram::deterministic);
    }
}
