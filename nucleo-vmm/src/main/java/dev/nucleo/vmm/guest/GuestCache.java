package dev.nucleo.vmm.guest;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where Nucleo keeps downloaded guest software: {@code $NUCLEO_CACHE}, else
 * {@code $XDG_CACHE_HOME/nucleo}, else {@code ~/.cache/nucleo}. The default guest lives in
 * {@code <root>/guest}.
 */
public record GuestCache(Path root) {

    /** The cache of the current user, from the process environment. */
    public static GuestCache fromEnvironment() {
        return resolve(System.getenv(), System.getProperty("user.home"));
    }

    /** The cache for a given environment; split out so the rules can be tested. */
    static GuestCache resolve(Map<String, String> env, String userHome) {
        String explicit = env.get("NUCLEO_CACHE");
        if (explicit != null && !explicit.isBlank()) {
            return new GuestCache(Path.of(explicit).toAbsolutePath());
        }
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return new GuestCache(Path.of(xdg, "nucleo").toAbsolutePath());
        }
        return new GuestCache(Path.of(userHome, ".cache", "nucleo").toAbsolutePath());
    }

    /** The directory holding the default guest's assets (complete once it has a manifest). */
    public Path guestDir() {
        return root.resolve("guest");
    }
}
