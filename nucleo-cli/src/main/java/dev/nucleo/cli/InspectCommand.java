package dev.nucleo.cli;

import dev.nucleo.host.DaemonClient;
import java.io.IOException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code nucleo inspect NAME...}: everything the daemon knows of VMs, as JSON (like docker inspect). */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show VMs' definitions and state as JSON.")
final class InspectCommand extends DaemonClientCommand {
    @Parameters(arity = "1..*", paramLabel = "NAME")
    List<String> names;

    InspectCommand(Stdio stdio) {
        super(stdio);
    }

    @Override
    int run(DaemonClient client) throws CliException, IOException {
        for (String name : names) {
            printJson(client, check(client, client.get(path(name))));
        }
        return 0;
    }
}
