package dev.nucleo.vmm.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GuestCacheTest {
    @Test
    void nucleoCacheWins() {
        assertEquals(Path.of("/c/n"), GuestCache.resolve(Map.of("NUCLEO_CACHE", "/c/n", "XDG_CACHE_HOME", "/x"), "/home/u").root());
    }

    @Test
    void thenXdgCacheHome() {
        assertEquals(Path.of("/x/nucleo"), GuestCache.resolve(Map.of("XDG_CACHE_HOME", "/x", "NUCLEO_CACHE", ""), "/home/u").root());
    }

    @Test
    void thenTheHomeCache() {
        GuestCache cache = GuestCache.resolve(Map.of(), "/home/u");
        assertEquals(Path.of("/home/u/.cache/nucleo"), cache.root());
        assertEquals(Path.of("/home/u/.cache/nucleo/guest"), cache.guestDir());
    }
}
