package dev.nucleo.vmm.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestAssetsTest {
    private static final String KVER = "6.12.0+test-riscv64";

    @TempDir
    Path tmp;

    @Test
    void missingGuestTellsTheUserToFetch() {
        GuestCache cache = new GuestCache(tmp);
        MissingGuestException e = assertThrows(MissingGuestException.class, () -> GuestAssets.locate(cache));
        assertTrue(e.getMessage().contains("nucleo guest fetch"), e.getMessage());
        assertTrue(GuestAssets.find(cache).isEmpty());
    }

    @Test
    void aGuestWithoutItsKernelIsIncomplete() throws IOException {
        GuestCache cache = completeGuest();
        Files.delete(cache.guestDir().resolve("vmlinux"));
        MissingGuestException e = assertThrows(MissingGuestException.class, () -> GuestAssets.locate(cache));
        assertTrue(e.getMessage().contains("vmlinux"), e.getMessage());
    }

    @Test
    void locatesFilesAndBuildsTheDefaultInitrdOnce() throws Exception {
        GuestCache cache = completeGuest();
        GuestAssets guest = GuestAssets.locate(cache);
        assertEquals(cache.guestDir().resolve("fw_jump.bin"), guest.firmware());
        assertEquals(cache.guestDir().resolve("vmlinux"), guest.kernel());
        assertEquals(KVER, guest.kernelVersion());
        assertEquals(List.of(guest.modulesDir().resolve("kernel/fs/mbcache.ko")), guest.modules());

        Path initrd = guest.defaultInitrd();
        assertEquals(cache.guestDir().resolve("initramfs.cpio.gz"), initrd);
        var names = CpioReader.readGzip(Files.readAllBytes(initrd)).stream().map(CpioReader.Member::name).toList();
        assertTrue(names.containsAll(List.of("init", "bin/busybox", "lib/modules/mbcache.ko", "lib/modules/load.order")));
        long written = Files.getLastModifiedTime(initrd).toMillis();
        Thread.sleep(20);
        guest.defaultInitrd();
        assertEquals(written, Files.getLastModifiedTime(initrd).toMillis(), "unchanged inputs: not rewritten");

        byte[] custom = guest.initramfs().withInitScript("echo custom").build();
        assertTrue(CpioReader.readGzip(custom).stream().anyMatch(m -> m.name().equals("etc/nucleo/init.sh")));
    }

    /** A guest directory laid out as the fetcher leaves it, with tiny stand-in files. */
    private GuestCache completeGuest() throws IOException {
        GuestCache cache = new GuestCache(tmp);
        Path dir = Files.createDirectories(cache.guestDir());
        Files.write(dir.resolve("fw_jump.bin"), new byte[] {1});
        Files.write(dir.resolve("vmlinux"), new byte[] {2});
        Files.write(dir.resolve("busybox"), new byte[] {3});
        Path modules = Files.createDirectories(dir.resolve("modules").resolve(KVER).resolve("kernel/fs"));
        Files.write(modules.resolve("mbcache.ko"), new byte[] {4});
        Files.writeString(dir.resolve("modules").resolve(KVER).resolve(KernelModules.LOAD_ORDER_FILE), "kernel/fs/mbcache.ko\n");
        new GuestManifest(GuestManifest.FORMAT, KVER, Map.of("opensbi", "1.6-1"), "http://m.example/debian").write(dir);
        return cache;
    }
}
