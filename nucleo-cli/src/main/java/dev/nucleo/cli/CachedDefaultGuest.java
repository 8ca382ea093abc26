package dev.nucleo.cli;

import dev.nucleo.vmm.guest.GuestAssets;
import dev.nucleo.vmm.guest.GuestCache;
import dev.nucleo.vmm.guest.GuestFetchException;
import dev.nucleo.vmm.guest.GuestFetcher;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/** The default guest from the user's cache, fetched (with progress on stderr) if absent. */
final class CachedDefaultGuest implements DefaultGuest {
    private final GuestCache cache;
    private final PrintStream err;
    private GuestAssets assets;

    CachedDefaultGuest(GuestCache cache, PrintStream err) {
        this.cache = cache;
        this.err = err;
    }

    @Override
    public Path firmware() throws CliException {
        return assets().firmware();
    }

    @Override
    public Path kernel() throws CliException {
        return assets().kernel();
    }

    @Override
    public Path initrd() throws CliException {
        try {
            return assets().defaultInitrd();
        } catch (IOException e) {
            throw new CliException(ExitStatus.INTERNAL_ERROR,
                    "cannot build the default initramfs in " + cache.guestDir() + ": " + e.getMessage(), e);
        }
    }

    private GuestAssets assets() throws CliException {
        if (assets == null) {
            if (GuestAssets.find(cache).isEmpty()) {
                err.println("nucleo: the default guest is not in the cache yet; fetching it once (about 110 MiB)");
            }
            try {
                assets = new GuestFetcher(cache, err).ensure();
            } catch (GuestFetchException e) {
                throw new CliException(ExitStatus.FETCH_FAILED, "cannot fetch the default guest: " + e.getMessage(), e);
            }
        }
        return assets;
    }
}
