package dev.nucleo.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code nucleo guest ...}: the default guest's assets. */
@Command(name = "guest", mixinStandardHelpOptions = true,
        description = "Manage the default guest in the cache and build initramfs images from it.",
        subcommands = {GuestFetchCommand.class, GuestInitramfsCommand.class})
final class GuestCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand (fetch, initramfs)");
    }
}
