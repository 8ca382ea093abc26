package dev.nucleo.vmm.guest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The default guest in the cache: OpenSBI {@code fw_jump.bin}, Debian's riscv64 kernel,
 * a static busybox and the kernel modules the guest loads, plus the default initramfs built
 * from them.
 *
 * <pre>{@code
 * GuestAssets guest = GuestAssets.locate(GuestCache.fromEnvironment());
 * Path firmware = guest.firmware(), kernel = guest.kernel(), initrd = guest.defaultInitrd();
 * }</pre>
 */
public final class GuestAssets {
    static final String FIRMWARE = "fw_jump.bin";
    static final String KERNEL = "vmlinux";
    static final String BUSYBOX = "busybox";
    static final String MODULES = "modules";
    static final String INITRD = "initramfs.cpio.gz";

    private final Path dir;
    private final GuestManifest manifest;

    private GuestAssets(Path dir, GuestManifest manifest) {
        this.dir = dir;
        this.manifest = manifest;
    }

    /** The default guest, or an exception telling the user to run {@code nucleo guest fetch}. */
    public static GuestAssets locate(GuestCache cache) throws MissingGuestException {
        return at(cache.guestDir());
    }

    /** The default guest if it is completely in the cache (handy for test assumptions). */
    public static Optional<GuestAssets> find(GuestCache cache) {
        try {
            return Optional.of(locate(cache));
        } catch (MissingGuestException e) {
            return Optional.empty();
        }
    }

    /** The guest in a given directory, checked for completeness. */
    static GuestAssets at(Path dir) throws MissingGuestException {
        GuestManifest manifest = GuestManifest.read(dir)
                .orElseThrow(() -> new MissingGuestException(dir, "no " + GuestManifest.FILE_NAME));
        GuestAssets assets = new GuestAssets(dir, manifest);
        for (Path required : List.of(assets.firmware(), assets.kernel(), assets.busybox(),
                assets.modulesDir().resolve(KernelModules.LOAD_ORDER_FILE))) {
            if (!Files.isRegularFile(required)) {
                throw new MissingGuestException(dir, "no " + dir.relativize(required));
            }
        }
        return assets;
    }

    /** The directory holding this guest. */
    public Path directory() {
        return dir;
    }

    /** OpenSBI's generic-platform {@code fw_jump.bin}, loaded at the base of RAM. */
    public Path firmware() {
        return dir.resolve(FIRMWARE);
    }

    /** The kernel {@code Image} (Debian names it vmlinux-&lt;version&gt;), loaded at RAM + 2 MiB. */
    public Path kernel() {
        return dir.resolve(KERNEL);
    }

    /** A static riscv64 busybox. */
    public Path busybox() {
        return dir.resolve(BUSYBOX);
    }

    /** The kernel's whole {@code lib/modules/<version>} tree. */
    public Path modulesDir() {
        return dir.resolve(MODULES).resolve(manifest.kernelVersion());
    }

    /** The kernel release, e.g. {@code 6.12.117+deb13-riscv64}. */
    public String kernelVersion() {
        return manifest.kernelVersion();
    }

    public GuestManifest manifest() {
        return manifest;
    }

    /** The plain {@code .ko} files the guest loads (virtio drivers, ext4), dependencies first. */
    public List<Path> modules() throws IOException {
        return KernelModules.readLoadOrder(modulesDir());
    }

    /**
     * A builder already holding busybox and this kernel's modules, for tests that need
     * their own files or init script: {@code guest.initramfs().withInitScript("...").writeTo(p)}.
     */
    public InitramfsBuilder initramfs() throws IOException {
        return new InitramfsBuilder().withBusybox(busybox()).withModules(modules());
    }

    /**
     * The default initramfs (interactive shell on the console), built into the cache if it is
     * absent or was built from other inputs; otherwise this only checks a digest.
     */
    public Path defaultInitrd() throws IOException {
        Path initrd = dir.resolve(INITRD);
        initramfs().writeIfChanged(initrd);
        return initrd;
    }
}
