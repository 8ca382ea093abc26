package dev.nucleo.cli;

import dev.nucleo.host.DaemonClient;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code nucleo start|stop|reboot|pause|resume NAME...}: one action on each VM, in order. */
abstract class VmActionCommand extends DaemonClientCommand {
    @Parameters(arity = "1..*", paramLabel = "NAME", description = "VM names (or ids).")
    java.util.List<String> names;

    private final String action;

    VmActionCommand(Stdio stdio, String action) {
        super(stdio);
        this.action = action;
    }

    @Override
    int run(DaemonClient client) throws CliException, IOException {
        for (String name : names) {
            DaemonClient.Reply reply = check(client, client.post(path(name) + "/" + action, null));
            if (output == Output.json) {
                printJson(client, reply);
            } else {
                stdio.out().println(name);
            }
        }
        return 0;
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Start VMs.")
    static final class Start extends VmActionCommand {
        Start(Stdio stdio) {
            super(stdio, "start");
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop VMs (their harts halt at once).")
    static final class Stop extends VmActionCommand {
        Stop(Stdio stdio) {
            super(stdio, "stop");
        }
    }

    @Command(name = "reboot", mixinStandardHelpOptions = true, description = "Stop VMs and start them afresh.")
    static final class Reboot extends VmActionCommand {
        Reboot(Stdio stdio) {
            super(stdio, "reboot");
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, description = "Pause VMs.")
    static final class Pause extends VmActionCommand {
        Pause(Stdio stdio) {
            super(stdio, "pause");
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume paused VMs.")
    static final class Resume extends VmActionCommand {
        Resume(Stdio stdio) {
            super(stdio, "resume");
        }
    }
}
