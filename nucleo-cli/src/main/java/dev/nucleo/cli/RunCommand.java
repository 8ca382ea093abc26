package dev.nucleo.cli;

import dev.nucleo.vmm.DeviceSpec;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code nucleo run}: boots a guest with its serial console on this terminal. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {
            "Boot a RISC-V RV64GC guest with its serial console on stdin/stdout.",
            "",
            "With no --firmware and no --kernel, runs the default guest (Debian's riscv64 kernel,"
                    + " OpenSBI and a busybox initramfs), fetching it into the cache first if needed.",
            "With --firmware alone, runs the firmware bare-metal (no kernel).",
            "With --kernel and no --firmware, boots the kernel through the cached OpenSBI fw_jump.bin."},
        footerHeading = "%nConsole:%n",
        footer = {
            "On a terminal, every key goes to the guest (Ctrl-C included).",
            "  Ctrl-A x         quit (exit status 130)",
            "  Ctrl-A Ctrl-A    send one Ctrl-A to the guest",
            "  Ctrl-A h         show this hint",
            "When stdin is not a terminal, its bytes are passed to the guest as they come."},
        exitCodeListHeading = "%nExit status:%n") // the list itself: ExitStatus.HELP_LIST, set in Main
final class RunCommand implements Callable<Integer> {
    private final Stdio stdio;

    @Mixin
    MachineOptions machine;

    RunCommand(Stdio stdio) {
        this.stdio = stdio;
    }

    @Override
    public Integer call() throws CliException {
        return new ConsoleSession(stdio).run(machine.spec(stdio.err()));
    }

    List<DeviceSpec> devices() {
        return machine.devices();
    }

    SpecResolver.GuestOptions options() {
        return machine.options();
    }
}
