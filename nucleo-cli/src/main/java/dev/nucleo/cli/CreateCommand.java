package dev.nucleo.cli;

import dev.nucleo.vmm.CpuShare;
import dev.nucleo.host.DaemonClient;
import dev.nucleo.host.VmConfig;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code nucleo create NAME [run's options]}: defines a VM in the daemon. The options and
 * their defaults are {@code nucleo run}'s (the default guest is fetched here if needed);
 * the paths are sent absolute, as the daemon resolves nothing relative to where it runs.
 */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = {"Define a VM in the daemon, with the options of `nucleo run`.",
            "With no --firmware and no --kernel, the default guest (fetched into the cache if needed)."})
final class CreateCommand extends DaemonClientCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The VM's name (unique in the daemon).")
    String name;

    @Mixin
    MachineOptions machine;

    @Option(names = "--start", description = "Start the VM once it is defined.")
    boolean start;

    @Option(names = "--cpu-weight", paramLabel = "N",
            description = "Its share of the host's CPU among busy VMs, relative to theirs (1..10000, default 100).")
    int cpuWeight = CpuShare.DEFAULT.weight();

    @Option(names = "--cpu-limit", paramLabel = "CORES",
            description = "A cap in host cores for all its harts, e.g. 0.25 (default: none).")
    double cpuLimit = CpuShare.DEFAULT.limit();

    CreateCommand(Stdio stdio) {
        super(stdio);
    }

    @Override
    int run(DaemonClient client) throws CliException, IOException {
        VmConfig config = VmConfig.of(name, machine.spec(stdio.err())).withCpuShare(cpuWeight, cpuLimit);
        DaemonClient.Reply reply = check(client, client.post("/v1/vms", config));
        if (start) {
            reply = check(client, client.post(path(name) + "/start", null));
        }
        if (output == Output.json) {
            printJson(client, reply);
        } else {
            stdio.out().println(client.json().readTree(reply.body()).path("id").asText());
        }
        return 0;
    }
}
