package dev.nucleo.cli;

import dev.nucleo.vmm.guest.GuestCache;
import dev.nucleo.vmm.guest.GuestFetchException;
import dev.nucleo.vmm.guest.GuestFetcher;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nucleo guest fetch}: downloads the default guest into the cache. */
@Command(name = "fetch", mixinStandardHelpOptions = true,
        description = {
            "Download the default guest (Debian trixie riscv64: linux-image-riscv64, opensbi,"
                    + " busybox-static) with the host's apt and dpkg, and build its initramfs.",
            "Nothing is downloaded when the cache already holds it.",
            "Cache: $NUCLEO_CACHE, else $XDG_CACHE_HOME/nucleo, else ~/.cache/nucleo (assets in guest/)."})
final class GuestFetchCommand implements Callable<Integer> {
    @Option(names = "--force", description = "Download again even if the cache holds a complete guest.")
    boolean force;

    private final PrintStream err;

    GuestFetchCommand(PrintStream err) {
        this.err = err;
    }

    @Override
    public Integer call() throws CliException {
        try {
            new GuestFetcher(GuestCache.fromEnvironment(), err).fetch(force);
            return 0;
        } catch (GuestFetchException e) {
            throw new CliException(ExitStatus.FETCH_FAILED, e.getMessage(), e);
        }
    }
}
