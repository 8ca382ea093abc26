package dev.nucleo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nucleo.host.DaemonClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code nucleo ps}: the daemon's VMs, one line each, as {@code docker ps -a} shows containers. */
@Command(name = "ps", mixinStandardHelpOptions = true, description = "List the daemon's VMs (all states).")
final class PsCommand extends DaemonClientCommand {
    private static final String[] HEADER = {"ID", "NAME", "STATE", "CPUS", "MEMORY", "UPTIME"};

    PsCommand(Stdio stdio) {
        super(stdio);
    }

    @Override
    int run(DaemonClient client) throws CliException, IOException {
        DaemonClient.Reply reply = check(client, client.get("/v1/vms"));
        if (output == Output.json) {
            printJson(client, reply);
            return 0;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (JsonNode vm : client.json().readTree(reply.body())) {
            String state = vm.path("state").asText();
            rows.add(new String[] {vm.path("id").asText(), vm.path("name").asText(), state,
                vm.at("/config/cpus").asText(), (vm.at("/config/memoryBytes").asLong() >> 20) + "MiB",
                vm.has("uptimeSeconds") ? uptime(vm.path("uptimeSeconds").asLong()) : "-"});
        }
        Table.print(rows, stdio.out());
        return 0;
    }

    /** "45s", "12m", "3h5m", "2d4h": coarse, like docker's "Up 3 hours". */
    static String uptime(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m";
        }
        if (seconds < 86400) {
            return seconds / 3600 + "h" + (seconds % 3600) / 60 + "m";
        }
        return seconds / 86400 + "d" + (seconds % 86400) / 3600 + "h";
    }
}
