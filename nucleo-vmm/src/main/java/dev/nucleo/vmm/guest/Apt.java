package dev.nucleo.vmm.guest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The host's apt, pointed at a private riscv64 view of Debian trixie: its own sources list,
 * package lists and cache under a work directory, and an empty dpkg status, so the host's
 * own package state is neither read nor touched.
 */
final class Apt {
    static final String KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";
    static final String SUITE = "trixie";
    static final String ARCH = "riscv64";
    private static final Pattern VERSIONED_KERNEL =
            Pattern.compile("^\\s*Depends:\\s*(linux-image-[0-9][^\\s:]*-riscv64)\\s*$");
    private static final Pattern PRINT_URI =
            Pattern.compile("^'([^']+)'\\s+(\\S+)\\s+(\\d+)\\s+\\S+.*$");

    private final Path workDir;
    private final String mirror;

    Apt(Path workDir, String mirror) {
        this.workDir = workDir;
        this.mirror = mirror;
    }

    /** The one line of the private sources list. */
    static String sourcesLine(String mirror) {
        return "deb [arch=" + ARCH + " signed-by=" + KEYRING + "] " + mirror + " " + SUITE + " main";
    }

    Path sourcesList() {
        return workDir.resolve("sources.list");
    }

    Path listsDir() {
        return workDir.resolve("lists");
    }

    Path cacheDir() {
        return workDir.resolve("cache");
    }

    /** The {@code -o} options that give apt its private view (see GUESTS.md). */
    List<String> options() {
        List<String> opts = new ArrayList<>();
        addOption(opts, "Dir::Etc::sourcelist=" + sourcesList());
        addOption(opts, "Dir::Etc::sourceparts=-");
        addOption(opts, "Dir::State::Lists=" + listsDir());
        addOption(opts, "APT::Architecture=" + ARCH);
        addOption(opts, "APT::Architectures=" + ARCH);
        addOption(opts, "Dir::State::status=/dev/null");
        // Our own binary cache, so the host's /var/cache/apt keeps describing the host.
        addOption(opts, "Dir::Cache=" + cacheDir());
        if ("root".equals(System.getProperty("user.name"))) {
            // The _apt sandbox user cannot write into the user's cache directory.
            addOption(opts, "APT::Sandbox::User=root");
        }
        return opts;
    }

    private static void addOption(List<String> opts, String value) {
        opts.add("-o");
        opts.add(value);
    }

    /** Writes the private sources list and creates apt's directories. */
    void prepare() throws GuestFetchException {
        try {
            Files.createDirectories(listsDir().resolve("partial"));
            Files.createDirectories(cacheDir().resolve("archives").resolve("partial"));
            Files.writeString(sourcesList(), sourcesLine(mirror) + "\n");
        } catch (IOException e) {
            throw new GuestFetchException("cannot prepare apt's work directory " + workDir + ": "
                    + e.getMessage(), e);
        }
        if (!Files.isReadable(Path.of(KEYRING))) {
            throw new GuestFetchException("the Debian archive keyring " + KEYRING
                    + " is missing; install the debian-archive-keyring package");
        }
    }

    void update(Consumer<String> progress) throws GuestFetchException {
        List<String> out = HostCommand.run(command("apt-get", "update"), workDir, progress);
        // apt-get update exits 0 even when it could not reach the mirror; it only warns.
        List<String> failures = updateFailures(out);
        if (!failures.isEmpty()) {
            throw new GuestFetchException("apt could not read Debian " + SUITE + " from " + mirror + ":\n  "
                    + String.join("\n  ", failures));
        }
    }

    static List<String> updateFailures(List<String> updateOutput) {
        return updateOutput.stream()
                .filter(line -> line.startsWith("E: ") || line.startsWith("W: Failed to fetch")
                        || line.startsWith("W: GPG error") || line.startsWith("Err:"))
                .toList();
    }

    /** The versioned kernel package that the {@code linux-image-riscv64} meta-package pulls in. */
    String versionedKernelPackage() throws GuestFetchException {
        List<String> out = HostCommand.run(command("apt-cache", "depends", "linux-image-riscv64"),
                workDir, line -> { });
        return parseVersionedKernel(out).orElseThrow(() -> new GuestFetchException(
                "linux-image-riscv64 in Debian " + SUITE + " names no linux-image-*-riscv64 dependency:\n  "
                        + String.join("\n  ", out)));
    }

    static java.util.Optional<String> parseVersionedKernel(List<String> dependsOutput) {
        for (String line : dependsOutput) {
            Matcher m = VERSIONED_KERNEL.matcher(line);
            if (m.matches()) {
                return java.util.Optional.of(m.group(1));
            }
        }
        return java.util.Optional.empty();
    }

    /** The total size in bytes of the .deb files {@code download} would fetch. */
    long downloadSize(List<String> packages) throws GuestFetchException {
        List<String> args = new ArrayList<>(List.of("--print-uris", "download"));
        args.addAll(packages);
        return parseDownloadSize(HostCommand.run(command("apt-get", args.toArray(String[]::new)),
                workDir, line -> { }));
    }

    static long parseDownloadSize(List<String> printUrisOutput) {
        long total = 0;
        for (String line : printUrisOutput) {
            Matcher m = PRINT_URI.matcher(line);
            if (m.matches()) {
                total += Long.parseLong(m.group(3));
            }
        }
        return total;
    }

    /** Downloads the packages' .deb files into {@code dir}. */
    void download(List<String> packages, Path dir, Consumer<String> progress) throws GuestFetchException {
        List<String> args = new ArrayList<>(List.of("download"));
        args.addAll(packages);
        HostCommand.run(command("apt-get", args.toArray(String[]::new)), dir, progress);
    }

    private List<String> command(String tool, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(tool);
        cmd.addAll(options());
        cmd.addAll(List.of(args));
        return cmd;
    }
}
