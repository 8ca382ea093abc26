package dev.nucleo.vmm.guest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.tukaani.xz.XZInputStream;

/**
 * Picks the kernel modules a Nucleo guest needs (the virtio drivers for our board and ext4),
 * adds what they depend on, and decompresses them to plain {@code .ko} files, because busybox
 * {@code insmod} cannot read {@code .ko.xz}. The load order (dependencies first) is written to
 * {@value #LOAD_ORDER_FILE} in the modules directory, one path relative to it per line.
 */
final class KernelModules {
    static final String LOAD_ORDER_FILE = "nucleo.load";

    /**
     * What the guest loads, in this order (dependencies are added in front of each). ext4
     * finds crc32c through the crypto API (a soft dependency), so crc32c_generic is listed.
     * virtio-rng is HW_RANDOM_VIRTIO; virtio_console is built into Debian's kernel.
     */
    static final List<String> WANTED = List.of(
            "virtio_mmio", "virtio_blk", "virtio_net", "virtio_rng", "virtio_balloon",
            "vmw_vsock_virtio_transport", "crc32c_generic", "ext4");

    private KernelModules() {
    }

    /**
     * Resolves {@link #WANTED} in {@code modulesDir} (a {@code lib/modules/<kver>} tree),
     * writes the plain {@code .ko} files beside the compressed ones and the load-order file.
     * Returns the load order as paths relative to {@code modulesDir}.
     */
    static List<String> prepare(Path modulesDir, Consumer<String> progress) throws IOException {
        Map<String, Path> index = index(modulesDir);
        Map<String, List<String>> depends = new HashMap<>();
        Set<String> seen = new HashSet<>();
        List<String> pending = new ArrayList<>(WANTED.stream().map(KernelModules::canonical).toList());
        while (!pending.isEmpty()) {
            String name = pending.removeLast();
            if (!seen.add(name)) {
                continue;
            }
            Path file = index.get(name);
            if (file == null) {
                progress.accept("note: kernel module " + name + " is not in this kernel (built in?), skipped");
                continue;
            }
            List<String> deps = modInfo(file).depends().stream().map(KernelModules::canonical).toList();
            depends.put(name, deps);
            pending.addAll(deps);
        }
        List<String> order = new ArrayList<>();
        for (String name : loadOrder(depends, WANTED.stream().map(KernelModules::canonical).toList())) {
            Path source = index.get(name);
            Path plain = plainPath(source);
            if (!source.equals(plain)) {
                Files.write(plain, readModule(source));
            }
            order.add(modulesDir.relativize(plain).toString());
        }
        Files.write(modulesDir.resolve(LOAD_ORDER_FILE), order);
        return order;
    }

    /** Reads the load-order file written by {@link #prepare}, as absolute paths. */
    static List<Path> readLoadOrder(Path modulesDir) throws IOException {
        List<Path> out = new ArrayList<>();
        for (String line : Files.readAllLines(modulesDir.resolve(LOAD_ORDER_FILE))) {
            if (!line.isBlank()) {
                out.add(modulesDir.resolve(line.strip()));
            }
        }
        return out;
    }

    /**
     * Modules in an order insmod accepts: each after its dependencies, roots in the given
     * order. Names missing from {@code depends} are left out (not in this kernel).
     */
    static List<String> loadOrder(Map<String, List<String>> depends, List<String> roots) {
        Set<String> ordered = new LinkedHashSet<>();
        for (String root : roots) {
            visit(root, depends, ordered, new HashSet<>());
        }
        return List.copyOf(ordered);
    }

    private static void visit(String name, Map<String, List<String>> depends, Set<String> ordered,
            Set<String> onPath) {
        if (ordered.contains(name) || !depends.containsKey(name) || !onPath.add(name)) {
            return; // done, absent, or a dependency cycle (the kernel forbids those anyway)
        }
        for (String dep : depends.get(name)) {
            visit(dep, depends, ordered, onPath);
        }
        ordered.add(name);
    }

    /** The kernel treats '-' and '_' in module names alike; file names use either. */
    static String canonical(String moduleName) {
        return moduleName.replace('-', '_');
    }

    /** Module files of the tree by canonical module name. */
    private static Map<String, Path> index(Path modulesDir) throws IOException {
        Map<String, Path> index = new HashMap<>();
        try (Stream<Path> files = Files.walk(modulesDir)) {
            files.filter(Files::isRegularFile).forEach(file -> {
                String fileName = file.getFileName().toString();
                for (String suffix : List.of(".ko.xz", ".ko")) {
                    if (fileName.endsWith(suffix)) {
                        String name = canonical(fileName.substring(0, fileName.length() - suffix.length()));
                        index.merge(name, file, (a, b) -> a.toString().endsWith(".ko") ? a : b);
                    }
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return index;
    }

    private static ModInfo modInfo(Path file) throws IOException {
        try {
            return ModInfo.parse(readModule(file));
        } catch (IllegalArgumentException e) {
            throw new IOException("bad kernel module " + file + ": " + e.getMessage(), e);
        }
    }

    private static Path plainPath(Path module) {
        String name = module.getFileName().toString();
        return name.endsWith(".xz") ? module.resolveSibling(name.substring(0, name.length() - 3)) : module;
    }

    private static byte[] readModule(Path file) throws IOException {
        if (!file.getFileName().toString().endsWith(".xz")) {
            return Files.readAllBytes(file);
        }
        try (InputStream in = new XZInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        }
    }
}
