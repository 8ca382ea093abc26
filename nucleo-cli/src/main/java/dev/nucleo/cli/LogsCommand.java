package dev.nucleo.cli;

import dev.nucleo.host.DaemonClient;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nucleo logs [-f] [--tail BYTES] NAME}: the VM's serial console output kept by the daemon. */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = "Print a VM's serial console output (the daemon keeps the last 1 MiB).")
final class LogsCommand extends DaemonClientCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = {"-f", "--follow"}, description = "Keep printing what the guest prints until the VM stops.")
    boolean follow;

    @Option(names = "--tail", paramLabel = "BYTES", description = "Only the last BYTES bytes.")
    Long tail;

    LogsCommand(Stdio stdio) {
        super(stdio);
    }

    @Override
    int run(DaemonClient client) throws CliException, IOException {
        String query = "?follow=" + follow + (tail == null ? "" : "&tail=" + tail);
        if (follow) {
            check(client, client.stream(path(name) + "/logs" + query, stdio.out()));
        } else {
            stdio.out().write(check(client, client.get(path(name) + "/logs" + query)).body());
            stdio.out().flush();
        }
        return 0;
    }
}
