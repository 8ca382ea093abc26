package dev.nucleo.vmm.guest;

import java.nio.file.Path;

/** The default guest is not (completely) in the cache. */
public final class MissingGuestException extends Exception {
    public MissingGuestException(Path guestDir, String what) {
        super("The default guest is not in the cache (" + what + " in " + guestDir + ")."
                + " Run `nucleo guest fetch` to download it.");
    }
}
