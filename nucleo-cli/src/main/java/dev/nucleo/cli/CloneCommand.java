package dev.nucleo.cli;

import dev.nucleo.host.DaemonClient;
import java.io.IOException;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code nucleo clone NAME NEWNAME}: a running copy of a running VM. */
@Command(name = "clone", mixinStandardHelpOptions = true, description = "Copy a running VM into a new one.")
final class CloneCommand extends DaemonClientCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "NEWNAME")
    String newName;

    CloneCommand(Stdio stdio) {
        super(stdio);
    }

    @Override
    int run(DaemonClient client) throws CliException, IOException {
        DaemonClient.Reply reply = check(client, client.post(path(name) + "/clone", Map.of("name", newName)));
        if (output == Output.json) {
            printJson(client, reply);
        } else {
            stdio.out().println(newName);
        }
        return 0;
    }
}
