package dev.nucleo.vmm.guest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

/**
 * Builds a gzip'd newc initramfs for a Nucleo guest, in Java (no cpio tool, no root).
 *
 * <p>Every archive has the basic tree ({@code /bin /sbin /dev /proc /sys /tmp /etc
 * /lib/modules ...}), the device nodes {@code /dev/console} and {@code /dev/null}, and the
 * default {@code /init}: it mounts proc, sysfs and devtmpfs, installs the busybox applets,
 * loads the modules listed in {@code /lib/modules/load.order}, prints {@value #READY_BANNER},
 * then runs either the script given to {@link #withInitScript} or an interactive shell with
 * job control on the console, and powers off when that ends. Anything added later with the
 * same path replaces what was there, so a test can even replace {@code /init}.
 *
 * <pre>{@code
 * byte[] initrd = GuestAssets.locate(GuestCache.fromEnvironment()).initramfs()
 *         .withFile("/etc/payload", bytes, 0644)
 *         .withInitScript("sha256sum /etc/payload")
 *         .build();
 * }</pre>
 */
public final class InitramfsBuilder {
    /** The line /init prints once the guest is set up; tests wait for it. */
    public static final String READY_BANNER = "Nucleo guest ready";
    /** Where {@link #withInitScript} puts the script inside the guest. */
    public static final String INIT_SCRIPT_PATH = "/etc/nucleo/init.sh";
    /** What /init prints after the init script ends; the script's exit status follows. */
    public static final String SCRIPT_STATUS_PREFIX = "nucleo-init: init script exited with status ";

    /** Applets linked in the archive itself, so they work before /init installs the rest. */
    static final List<String> COMMON_APPLETS = List.of(
            "sh", "ash", "ls", "cat", "echo", "mount", "umount", "mkdir", "rm", "cp", "mv", "ln",
            "poweroff", "reboot", "halt", "insmod", "rmmod", "lsmod", "modprobe", "ip", "ifconfig",
            "ping", "dd", "sync", "sha256sum", "md5sum", "gzip", "gunzip", "seq", "sleep", "grep",
            "sed", "awk", "head", "tail", "wc", "dmesg", "setsid", "cttyhack", "hostname", "uname",
            "ps", "kill", "free", "df", "du", "stat", "test", "[", "true", "false", "printf", "env",
            "chmod", "touch", "date", "mknod", "hexdump", "od", "vi", "mdev", "udhcpc", "nc", "wget",
            "mkfs.ext2", "fsck", "devmem", "time", "watch", "tr", "cut", "sort", "uniq", "xargs", "find");

    static final String DEFAULT_INIT = """
            #!/bin/sh
            # /init of a Nucleo guest, written by dev.nucleo.vmm.guest.InitramfsBuilder.
            export PATH=/sbin:/bin:/usr/sbin:/usr/bin HOME=/root
            mount -t proc proc /proc
            mount -t sysfs sysfs /sys
            mount -t devtmpfs devtmpfs /dev
            mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
            /bin/busybox --install -s 2>/dev/null
            hostname nucleo
            if [ -f /lib/modules/load.order ]; then
                while read -r module; do
                    insmod "/lib/modules/$module" || echo "nucleo-init: could not load $module"
                done < /lib/modules/load.order
            fi
            echo "%s"
            if [ -f %s ]; then
                sh %s
                echo "%s$?"
            else
                # cttyhack gives the shell the real console tty, so job control and Ctrl-C work.
                setsid cttyhack sh
            fi
            sync
            poweroff -f
            # PID 1 must never exit (the kernel would panic), even if poweroff failed.
            while :; do sleep 3600; done
            """.formatted(READY_BANNER, INIT_SCRIPT_PATH, INIT_SCRIPT_PATH, SCRIPT_STATUS_PREFIX);

    /** One archive member; files read their source only when the archive is built. */
    private sealed interface Member {
        record Directory(int permissions) implements Member {
        }

        record Bytes(byte[] data, int permissions) implements Member {
        }

        record HostFile(Path source, int permissions) implements Member {
        }

        record Symlink(String target) implements Member {
        }

        record CharDevice(int major, int minor, int permissions) implements Member {
        }
    }

    // Sorted by path, so every directory comes before what it contains.
    private final Map<String, Member> members = new TreeMap<>();

    /** A builder with the basic tree, the device nodes and the default /init. */
    public InitramfsBuilder() {
        for (String dir : List.of("/bin", "/sbin", "/usr/bin", "/usr/sbin", "/dev", "/proc", "/sys",
                "/etc", "/root", "/run", "/lib/modules", "/mnt")) {
            withDirectory(dir, 0755);
        }
        withDirectory("/tmp", 01777);
        put("/dev/console", new Member.CharDevice(5, 1, 0600));
        put("/dev/null", new Member.CharDevice(1, 3, 0666));
        withFile("/init", DEFAULT_INIT.getBytes(StandardCharsets.UTF_8), 0755);
    }

    /** Adds a static busybox as /bin/busybox and links common applets to it. */
    public InitramfsBuilder withBusybox(Path busybox) {
        withFile("/bin/busybox", busybox, 0755);
        for (String applet : COMMON_APPLETS) {
            withSymlink("/bin/" + applet, "busybox");
        }
        return this;
    }

    /**
     * Adds plain (uncompressed) {@code .ko} files under /lib/modules, which /init loads in
     * the given order (each after what it depends on).
     */
    public InitramfsBuilder withModules(List<Path> modules) {
        List<String> order = new ArrayList<>();
        for (Path module : modules) {
            String name = module.getFileName().toString();
            if (!name.endsWith(".ko")) {
                throw new IllegalArgumentException("not a plain .ko kernel module: " + module);
            }
            withFile("/lib/modules/" + name, module, 0644);
            order.add(name);
        }
        String list = order.isEmpty() ? "" : String.join("\n", order) + "\n";
        return withFile("/lib/modules/load.order", list.getBytes(StandardCharsets.UTF_8), 0644);
    }

    /**
     * A shell script that /init runs after its set-up and the ready banner, instead of the
     * interactive shell; the guest powers off when it ends.
     */
    public InitramfsBuilder withInitScript(String script) {
        String text = script.startsWith("#!") ? script : "#!/bin/sh\n" + script;
        if (!text.endsWith("\n")) {
            text += "\n";
        }
        return withFile(INIT_SCRIPT_PATH, text.getBytes(StandardCharsets.UTF_8), 0755);
    }

    /** A regular file with these contents and permission bits (e.g. 0755). */
    public InitramfsBuilder withFile(String path, byte[] contents, int permissions) {
        return put(path, new Member.Bytes(contents.clone(), permissions & 07777));
    }

    /** A regular file copied from the host when the archive is built. */
    public InitramfsBuilder withFile(String path, Path source, int permissions) {
        return put(path, new Member.HostFile(source, permissions & 07777));
    }

    public InitramfsBuilder withDirectory(String path, int permissions) {
        return put(path, new Member.Directory(permissions & 07777));
    }

    public InitramfsBuilder withSymlink(String path, String target) {
        return put(path, new Member.Symlink(target));
    }

    private InitramfsBuilder put(String path, Member member) {
        String name = archiveName(path);
        addParents(name);
        members.put(name, member);
        return this;
    }

    /** Every member needs its parent directories earlier in the archive. */
    private void addParents(String name) {
        int slash = name.lastIndexOf('/');
        if (slash > 0) {
            String parent = name.substring(0, slash);
            if (!(members.get(parent) instanceof Member.Directory)) {
                addParents(parent);
                members.put(parent, new Member.Directory(0755));
            }
        }
    }

    /** "/a/b" or "a/b" to "a/b"; rejects empty, "." and ".." components. */
    static String archiveName(String path) {
        String name = path.startsWith("/") ? path.substring(1) : path;
        if (name.endsWith("/")) {
            name = name.substring(0, name.length() - 1);
        }
        for (String part : name.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("bad path in initramfs: " + path);
            }
        }
        return name;
    }

    /** The uncompressed newc archive. */
    public byte[] buildCpio() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 20);
        CpioWriter cpio = new CpioWriter(bytes);
        for (Map.Entry<String, Member> e : members.entrySet()) {
            String name = e.getKey();
            switch (e.getValue()) {
                case Member.Directory d -> cpio.directory(name, d.permissions());
                case Member.Bytes b -> cpio.file(name, b.permissions(), b.data());
                case Member.HostFile f -> cpio.file(name, f.permissions(), Files.readAllBytes(f.source()));
                case Member.Symlink s -> cpio.symlink(name, s.target());
                case Member.CharDevice c -> cpio.charDevice(name, c.permissions(), c.major(), c.minor());
            }
        }
        cpio.finish();
        return bytes.toByteArray();
    }

    /** The gzip'd archive, ready to be passed to the kernel as its initrd. */
    public byte[] build() throws IOException {
        return gzip(buildCpio());
    }

    /** Writes the gzip'd archive to {@code target} (atomically replacing it). */
    public void writeTo(Path target) throws IOException {
        writeAtomically(target, build());
    }

    /**
     * Writes the archive to {@code target} unless the file there was built from the same
     * inputs (a digest of the archive is kept beside it). Returns whether it wrote.
     */
    public boolean writeIfChanged(Path target) throws IOException {
        byte[] cpio = buildCpio();
        String digest = sha256(cpio);
        Path digestFile = target.resolveSibling(target.getFileName() + ".sha256");
        if (Files.isRegularFile(target) && Files.isRegularFile(digestFile)
                && Files.readString(digestFile).strip().equals(digest)) {
            return false;
        }
        writeAtomically(target, gzip(cpio));
        writeAtomically(digestFile, (digest + "\n").getBytes(StandardCharsets.US_ASCII));
        return true;
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(data.length / 2 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes, 1 << 16)) {
            gz.write(data);
        }
        return bytes.toByteArray();
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Writes beside the target and renames, so readers never see a half-written file. */
    static void writeAtomically(Path target, byte[] data) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // Not createTempFile: that makes the file owner-only, and cache files follow the umask.
        Path tmp = dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid()
                + "-" + Long.toHexString(System.nanoTime()) + ".tmp");
        try {
            Files.write(tmp, data);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
