package dev.nucleo.cli;

import dev.nucleo.host.DaemonClient;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nucleo restore DIR --name NAME}: a new VM from a snapshot. */
@Command(name = "restore", mixinStandardHelpOptions = true, description = "Create and run a VM from a snapshot.")
final class RestoreCommand extends DaemonClientCommand {
    @Parameters(index = "0", paramLabel = "DIR")
    Path dir;

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "The new VM's name.")
    String name;

    RestoreCommand(Stdio stdio) {
        super(stdio);
    }

    @Override
    int run(DaemonClient client) throws CliException, IOException {
        DaemonClient.Reply reply = check(client, client.post("/v1/restore",
                Map.of("path", dir.toAbsolutePath().toString(), "name", name)));
        if (output == Output.json) {
            printJson(client, reply);
        } else {
            stdio.out().println(name);
        }
        return 0;
    }
}
