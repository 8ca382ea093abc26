package dev.nucleo.cli;

import dev.nucleo.host.DaemonClient;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code nucleo snapshot NAME DIR}: saves a running VM's whole state in DIR (on the daemon's host). */
@Command(name = "snapshot", mixinStandardHelpOptions = true, description = "Save a VM's state to a directory.")
final class SnapshotCommand extends DaemonClientCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "DIR")
    Path dir;

    SnapshotCommand(Stdio stdio) {
        super(stdio);
    }

    @Override
    int run(DaemonClient client) throws CliException, IOException {
        check(client, client.post(path(name) + "/snapshot", Map.of("path", dir.toAbsolutePath().toString())));
        stdio.out().println(dir.toAbsolutePath());
        return 0;
    }
}
