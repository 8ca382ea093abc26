package dev.nucleo.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top-level {@code nucleo} command. */
@Command(name = "nucleo", mixinStandardHelpOptions = true, versionProvider = NucleoCommand.Version.class,
        description = "Nucleo: a RISC-V RV64GC hypervisor on the JVM.",
        subcommands = {RunCommand.class, GuestCommand.class, DaemonCommand.class, CreateCommand.class,
            VmActionCommand.Start.class, VmActionCommand.Stop.class, VmActionCommand.Reboot.class,
            VmActionCommand.Pause.class, VmActionCommand.Resume.class, RmCommand.class, PsCommand.class,
            InspectCommand.class, LogsCommand.class, ConsoleCommand.class, SnapshotCommand.class,
            RestoreCommand.class, CloneCommand.class, CommandLine.HelpCommand.class})
final class NucleoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command (run, guest, daemon, create, start, ps, ...; see nucleo --help)");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = NucleoCommand.class.getPackage().getImplementationVersion();
            return new String[] {"nucleo " + (version == null ? "(development build)" : version)};
        }
    }
}
