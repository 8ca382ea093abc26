package dev.nucleo.vmm.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestFetcherTest {
    @TempDir
    Path tmp;

    @Test
    void controlFieldsFromDpkgDeb() {
        assertEquals(Map.of("Package", "busybox-static", "Version", "1:1.37.0-6+b9"),
                GuestFetcher.parseControlFields(List.of("Package: busybox-static", "Version: 1:1.37.0-6+b9")));
    }

    @Test
    void aCompleteCacheIsNotFetchedAgain() throws Exception {
        GuestCache cache = new GuestCache(tmp);
        Path dir = Files.createDirectories(cache.guestDir());
        for (String f : List.of("fw_jump.bin", "vmlinux", "busybox")) {
            Files.write(dir.resolve(f), new byte[] {1});
        }
        Files.createDirectories(dir.resolve("modules/k"));
        Files.writeString(dir.resolve("modules/k/nucleo.load"), "");
        new GuestManifest(GuestManifest.FORMAT, "k", Map.of(), "").write(dir);

        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        GuestFetcher fetcher = new GuestFetcher(cache, new PrintStream(progress, true));
        assertEquals(dir.resolve("vmlinux"), fetcher.ensure().kernel());
        assertEquals("", progress.toString(), "ensure() is silent when cached");
        fetcher.fetch(false);
        assertTrue(progress.toString().contains("already fetched"), progress.toString());
    }
}
