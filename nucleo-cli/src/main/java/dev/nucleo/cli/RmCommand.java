package dev.nucleo.cli;

import dev.nucleo.host.DaemonClient;
import java.io.IOException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nucleo rm [-f] NAME...}: deletes VM definitions. */
@Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete VMs (a running one only with --force).")
final class RmCommand extends DaemonClientCommand {
    @Parameters(arity = "1..*", paramLabel = "NAME")
    List<String> names;

    @Option(names = {"-f", "--force"}, description = "Stop a running VM first.")
    boolean force;

    RmCommand(Stdio stdio) {
        super(stdio);
    }

    @Override
    int run(DaemonClient client) throws CliException, IOException {
        for (String name : names) {
            check(client, client.delete(path(name) + (force ? "?force=true" : "")));
            stdio.out().println(name);
        }
        return 0;
    }
}
