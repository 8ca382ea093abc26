package dev.nucleo.cli;

import static org.junit.jupiter.api.Assertions.fail;

import dev.nucleo.vmm.guest.GuestAssets;
import dev.nucleo.vmm.guest.GuestCache;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/** The default guest from the user's cache, for tests tagged "guest". */
final class CachedGuest {
    private CachedGuest() {
    }

    /** The cached guest; fails under CI (which fetches it first), skips elsewhere when absent. */
    static GuestAssets require() {
        Optional<GuestAssets> assets = GuestAssets.find(GuestCache.fromEnvironment());
        if (assets.isEmpty() && System.getenv("CI") != null) {
            fail("the default guest is not cached; CI must run `nucleo guest fetch` first");
        }
        Assumptions.assumeTrue(assets.isPresent(), "default guest not cached (run `./nucleo guest fetch`)");
        return assets.get();
    }
}
