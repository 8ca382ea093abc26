package dev.nucleo.vmm.guest;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code nucleo guest fetch}: downloads the default guest (Debian trixie's riscv64 kernel,
 * OpenSBI and busybox-static) with the host's own apt and dpkg, and lays it out in the cache.
 *
 * <p>Everything is assembled in a scratch directory beside the cache's guest directory and
 * renamed into place only when complete, with the manifest written last; an interrupted
 * fetch leaves only scratch that the next fetch deletes. A lock file keeps two fetches from
 * racing. When the cache already holds a complete guest, fetching does nothing.
 */
public final class GuestFetcher {
    static final String META_KERNEL = "linux-image-riscv64";
    static final String OPENSBI = "opensbi";
    static final String BUSYBOX_STATIC = "busybox-static";
    static final String FW_JUMP_IN_PACKAGE = "usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin";
    static final String BUSYBOX_IN_PACKAGE = "usr/bin/busybox";
    private static final String SCRATCH_PREFIX = "guest.partial-";
    private static final String OLD_PREFIX = "guest.old-";
    private static final String WORK_PREFIX = "fetch-work-";
    private static final int STEPS = 6;
    private static final long LOCK_POLL_MILLIS = 500;

    private final GuestCache cache;
    private final PrintStream progress;

    /** A fetcher for {@code cache} that reports its steps on {@code progress} (e.g. stderr). */
    public GuestFetcher(GuestCache cache, PrintStream progress) {
        this.cache = cache;
        this.progress = progress;
    }

    /** The cached guest (silently), fetching it first if the cache lacks a complete one. */
    public GuestAssets ensure() throws GuestFetchException {
        var cached = GuestAssets.find(cache);
        return cached.isPresent() ? cached.get() : fetch(false);
    }

    /** Fetches the guest; with {@code force}, even when a complete one is cached. */
    public GuestAssets fetch(boolean force) throws GuestFetchException {
        if (!force) {
            var cached = GuestAssets.find(cache);
            if (cached.isPresent()) {
                say("guest already fetched: " + describe(cached.get().manifest()) + " in " + cache.guestDir());
                return cached.get();
            }
        }
        try {
            Files.createDirectories(cache.root());
        } catch (IOException e) {
            throw new GuestFetchException("cannot create the cache directory " + cache.root() + ": " + e.getMessage(), e);
        }
        try (FileChannel lockFile = FileChannel.open(cache.root().resolve("fetch.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = acquire(lockFile)) {
            if (!force) { // another fetch may have finished while we waited for the lock
                var cached = GuestAssets.find(cache);
                if (cached.isPresent()) {
                    return cached.get();
                }
            }
            removeLeftovers();
            return fetchLocked();
        } catch (IOException e) {
            throw new GuestFetchException("fetching the guest failed: " + e.getMessage(), e);
        }
    }

    private FileLock acquire(FileChannel lockFile) throws IOException {
        boolean told = false;
        while (true) {
            try {
                FileLock lock = lockFile.tryLock();
                if (lock != null) {
                    return lock;
                }
            } catch (OverlappingFileLockException sameProcess) {
                // Another thread of this JVM is fetching (file locks are per process): wait alike.
            }
            if (!told) {
                say("another `nucleo guest fetch` is running; waiting for it");
                told = true;
            }
            try {
                Thread.sleep(LOCK_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for another fetch", e);
            }
        }
    }

    private GuestAssets fetchLocked() throws GuestFetchException, IOException {
        HostCommand.requireTools("apt-get", "apt-cache", "dpkg", "dpkg-deb");
        String mirror = AptMirror.fromHost();
        Path work = Files.createDirectory(cache.root().resolve(WORK_PREFIX + uniqueSuffix()));
        Path scratch = Files.createDirectory(cache.root().resolve(SCRATCH_PREFIX + uniqueSuffix()));
        try {
            Apt apt = new Apt(work, mirror);
            apt.prepare();

            step(1, "reading Debian " + Apt.SUITE + " " + Apt.ARCH + " package lists from " + mirror);
            apt.update(this::detail);

            step(2, "resolving the kernel package");
            String kernelPackage = apt.versionedKernelPackage();
            List<String> packages = List.of(META_KERNEL, kernelPackage, OPENSBI, BUSYBOX_STATIC);
            detail(String.join(", ", packages));

            Path debs = Files.createDirectories(work.resolve("debs"));
            long size = apt.downloadSize(packages);
            step(3, "downloading " + packages.size() + " packages (" + DownloadMeter.mib(size) + ")");
            List<Path> downloadDirs = List.of(debs, apt.cacheDir().resolve("archives/partial"));
            try (DownloadMeter meter = new DownloadMeter(downloadDirs, size, this::detail)) {
                apt.download(packages, debs, this::detail);
            }

            step(4, "unpacking");
            Path staging = Files.createDirectories(work.resolve("root"));
            Map<String, String> versions = unpack(debs, staging);

            step(5, "placing files and decompressing kernel modules");
            String kernelVersion = place(staging, scratch);
            List<String> modules = KernelModules.prepare(
                    scratch.resolve(GuestAssets.MODULES).resolve(kernelVersion), this::detail);
            detail(modules.size() + " modules for the guest: " + String.join(" ", moduleNames(modules)));

            GuestManifest manifest = new GuestManifest(GuestManifest.FORMAT, kernelVersion, versions, mirror);
            step(6, "building the initramfs");
            manifest.write(scratch); // GuestAssets.at needs it; the rename below is what publishes it
            GuestAssets.at(scratch).defaultInitrd();

            publish(scratch);
            GuestAssets assets = GuestAssets.locate(cache);
            say("guest ready: " + describe(manifest) + " in " + cache.guestDir());
            return assets;
        } catch (MissingGuestException e) {
            throw new GuestFetchException("the fetched guest is incomplete: " + e.getMessage(), e);
        } finally {
            deleteTree(work);
            deleteTree(scratch);
        }
    }

    /** Unpacks every .deb into {@code staging}; returns package name to version. */
    private Map<String, String> unpack(Path debs, Path staging) throws GuestFetchException, IOException {
        Map<String, String> versions = new LinkedHashMap<>();
        List<Path> files;
        try (Stream<Path> list = Files.list(debs)) {
            files = list.filter(f -> f.getFileName().toString().endsWith(".deb")).sorted().toList();
        }
        for (Path deb : files) {
            List<String> fields = HostCommand.run(
                    List.of("dpkg-deb", "--field", deb.toString(), "Package", "Version"), debs, line -> { });
            Map<String, String> parsed = parseControlFields(fields);
            versions.put(parsed.getOrDefault("Package", deb.getFileName().toString()),
                    parsed.getOrDefault("Version", "?"));
            detail(deb.getFileName().toString());
            HostCommand.run(List.of("dpkg", "-x", deb.toString(), staging.toString()), debs, this::detail);
        }
        return versions;
    }

    static Map<String, String> parseControlFields(List<String> lines) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon > 0 && !Character.isWhitespace(line.charAt(0))) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
        }
        return fields;
    }

    /** Moves firmware, kernel, busybox and the modules tree into the guest layout; returns the kernel version. */
    private String place(Path staging, Path scratch) throws GuestFetchException, IOException {
        moveFile(staging.resolve(FW_JUMP_IN_PACKAGE), scratch.resolve(GuestAssets.FIRMWARE), OPENSBI);
        moveFile(staging.resolve(BUSYBOX_IN_PACKAGE), scratch.resolve(GuestAssets.BUSYBOX), BUSYBOX_STATIC);
        Files.setPosixFilePermissions(scratch.resolve(GuestAssets.BUSYBOX), PosixFilePermissions.fromString("rwxr-xr-x"));

        Path modulesRoot = staging.resolve("usr/lib/modules");
        List<Path> versions = listDirs(modulesRoot);
        if (versions.size() != 1) {
            throw new GuestFetchException("expected one kernel in " + modulesRoot + ", found " + versions);
        }
        String kernelVersion = versions.getFirst().getFileName().toString();
        moveFile(staging.resolve("boot/vmlinux-" + kernelVersion), scratch.resolve(GuestAssets.KERNEL), META_KERNEL);
        Path config = staging.resolve("boot/config-" + kernelVersion);
        if (Files.isRegularFile(config)) {
            Files.move(config, scratch.resolve("kernel.config")); // handy when a driver seems missing
        }
        Path modules = Files.createDirectories(scratch.resolve(GuestAssets.MODULES));
        Files.move(versions.getFirst(), modules.resolve(kernelVersion));
        return kernelVersion;
    }

    private static void moveFile(Path from, Path to, String pkg) throws GuestFetchException, IOException {
        if (!Files.isRegularFile(from)) {
            throw new GuestFetchException("the " + pkg + " package has no " + from.getFileName()
                    + " where expected (" + from + ")");
        }
        Files.move(from, to);
    }

    private static List<Path> listDirs(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(Files::isDirectory).toList();
        }
    }

    /** Renames the finished scratch directory to the guest directory, replacing any old one. */
    private void publish(Path scratch) throws IOException {
        Path target = cache.guestDir();
        Path old = null;
        if (Files.exists(target)) {
            old = cache.root().resolve(OLD_PREFIX + uniqueSuffix());
            rename(target, old);
        }
        rename(scratch, target);
        if (old != null) {
            deleteTree(old);
        }
    }

    /** Not createTempDirectory: that makes directories owner-only; the cache follows the umask. */
    private static String uniqueSuffix() {
        return ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime());
    }

    private static void rename(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    /** Scratch of fetches that were interrupted (we hold the lock, so none is running). */
    private void removeLeftovers() throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(cache.root())) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.startsWith(SCRATCH_PREFIX) || name.startsWith(OLD_PREFIX) || name.startsWith(WORK_PREFIX)) {
                    deleteTree(entry);
                }
            }
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static List<String> moduleNames(List<String> relativePaths) {
        List<String> names = new ArrayList<>();
        for (String path : relativePaths) {
            String file = Path.of(path).getFileName().toString();
            names.add(file.endsWith(".ko") ? file.substring(0, file.length() - 3) : file);
        }
        return names;
    }

    private static String describe(GuestManifest manifest) {
        Map<String, String> v = manifest.packageVersions();
        return "kernel " + manifest.kernelVersion() + ", opensbi " + v.getOrDefault(OPENSBI, "?")
                + ", busybox " + v.getOrDefault(BUSYBOX_STATIC, "?");
    }

    private void step(int n, String what) {
        say("[" + n + "/" + STEPS + "] " + what);
    }

    private void say(String line) {
        progress.println("nucleo: " + line);
        progress.flush();
    }

    private void detail(String line) {
        progress.println("    " + line);
        progress.flush();
    }
}
