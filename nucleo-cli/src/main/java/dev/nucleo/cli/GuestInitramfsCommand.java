package dev.nucleo.cli;

import dev.nucleo.vmm.guest.GuestAssets;
import dev.nucleo.vmm.guest.GuestCache;
import dev.nucleo.vmm.guest.GuestFetchException;
import dev.nucleo.vmm.guest.GuestFetcher;
import dev.nucleo.vmm.guest.InitramfsBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nucleo guest initramfs}: writes an initramfs built from the default guest (busybox,
 * its kernel modules and the standard /init), optionally with an init script and extra files.
 */
@Command(name = "initramfs", mixinStandardHelpOptions = true,
        description = {
            "Build an initramfs (gzip'd newc cpio) from the default guest: busybox, the kernel modules"
                    + " it loads and its /init, which prints \"" + InitramfsBuilder.READY_BANNER + "\" once set up.",
            "Without --init-script the guest then runs an interactive shell; with it, /init runs the script"
                    + " (as " + InitramfsBuilder.INIT_SCRIPT_PATH + ") and powers the guest off when it ends.",
            "The default guest is fetched into the cache first if it is not there.",
            "",
            "Example:",
            "  nucleo guest initramfs --init-script t.sh --file ./a:/root/a:0644 -o rd.gz",
            "  nucleo run --initrd rd.gz"},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "  0:the initramfs was written",
            " 64:usage error (bad option or value)",
            " 66:an input file (init script, --file) is missing or unreadable",
            " 69:the default guest could not be fetched",
            " 70:internal error in Nucleo",
            " 73:the output file could not be written"})
final class GuestInitramfsCommand implements Callable<Integer> {
    /** The output could not be created or written (sysexits' EX_CANTCREAT). */
    static final int CANNOT_WRITE_OUTPUT = 73;

    @Option(names = "--init-script", paramLabel = "FILE",
            description = "Shell script the guest runs after the ready banner, instead of a shell"
                    + " (\"-\" reads it from stdin).")
    String initScript;

    @Option(names = "--file", paramLabel = "HOSTPATH:GUESTPATH[:MODE]", converter = FileSpec.Converter.class,
            description = "Copy a host file into the initramfs at the absolute GUESTPATH, with the octal"
                    + " permission bits MODE (default: the host file's). Repeatable; a later --file for the"
                    + " same path replaces the earlier one.")
    List<FileSpec> files = new ArrayList<>();

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", required = true,
            description = "Where to write the initramfs (replaced atomically if it exists).")
    Path output;

    /** Set by tests; the user's cache otherwise. */
    GuestCache cache = GuestCache.fromEnvironment();
    InputStream stdin = System.in;
    PrintStream err = System.err;

    /** One {@code --file HOSTPATH:GUESTPATH[:MODE]}; mode is -1 for "the host file's". */
    record FileSpec(Path host, String guest, int mode) {
        private static final Pattern MODE = Pattern.compile("[0-7]{1,4}");

        /**
         * Splits from the right, so a host path may contain ':' (a guest path may not): an
         * octal last field is the mode, the field before it the guest path, the rest the host path.
         */
        static FileSpec parse(String spec) {
            String rest = spec;
            int mode = -1;
            int colon = rest.lastIndexOf(':');
            if (colon >= 0 && MODE.matcher(rest.substring(colon + 1)).matches()) {
                mode = Integer.parseInt(rest.substring(colon + 1), 8);
                rest = rest.substring(0, colon);
            }
            colon = rest.lastIndexOf(':');
            if (colon < 0) {
                throw bad(spec, "expected HOSTPATH:GUESTPATH or HOSTPATH:GUESTPATH:MODE");
            }
            String host = rest.substring(0, colon);
            String guest = rest.substring(colon + 1);
            if (host.isEmpty()) {
                throw bad(spec, "empty HOSTPATH");
            }
            if (!guest.startsWith("/")) {
                throw bad(spec, "GUESTPATH must be absolute and MODE octal (e.g. ./a:/root/a:0755)");
            }
            String trimmed = guest.endsWith("/") ? guest.substring(0, guest.length() - 1) : guest;
            for (String part : trimmed.substring(Math.min(1, trimmed.length())).split("/", -1)) {
                if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                    throw bad(spec, "GUESTPATH must name a file, without empty, '.' or '..' components");
                }
            }
            return new FileSpec(Path.of(host), trimmed, mode);
        }

        private static CommandLine.TypeConversionException bad(String spec, String why) {
            return new CommandLine.TypeConversionException("'" + spec + "': " + why);
        }

        static final class Converter implements CommandLine.ITypeConverter<FileSpec> {
            @Override
            public FileSpec convert(String value) {
                return parse(value);
            }
        }
    }

    @Override
    public Integer call() throws CliException {
        // Read every input before touching the cache, so a typo fails fast and fetches nothing.
        String script = initScript == null ? null : readInitScript();
        List<byte[]> contents = new ArrayList<>();
        List<Integer> modes = new ArrayList<>();
        for (FileSpec file : files) {
            contents.add(readHostFile(file.host()));
            modes.add(file.mode() >= 0 ? file.mode() : hostPermissions(file.host()));
        }

        InitramfsBuilder builder;
        try {
            builder = assets().initramfs();
        } catch (IOException e) {
            throw new CliException(ExitStatus.INTERNAL_ERROR,
                    "cannot read the default guest in " + cache.guestDir() + ": " + describe(e), e);
        }
        if (script != null) {
            builder.withInitScript(script);
        }
        for (int i = 0; i < files.size(); i++) {
            builder.withFile(files.get(i).guest(), contents.get(i), modes.get(i));
        }

        byte[] archive;
        try {
            archive = builder.build();
        } catch (IOException e) {
            throw new CliException(ExitStatus.INTERNAL_ERROR,
                    "cannot read the default guest in " + cache.guestDir() + ": " + describe(e), e);
        }
        try {
            writeAtomically(output, archive);
        } catch (IOException e) {
            throw new CliException(CANNOT_WRITE_OUTPUT, "cannot write " + output + ": " + describe(e), e);
        }
        return 0;
    }

    private GuestAssets assets() throws CliException {
        if (GuestAssets.find(cache).isEmpty()) {
            err.println("nucleo: the default guest is not in the cache yet; fetching it once (about 110 MiB)");
        }
        try {
            return new GuestFetcher(cache, err).ensure();
        } catch (GuestFetchException e) {
            throw new CliException(ExitStatus.FETCH_FAILED, "cannot fetch the default guest: " + e.getMessage(), e);
        }
    }

    private String readInitScript() throws CliException {
        try {
            byte[] bytes = initScript.equals("-") ? stdin.readAllBytes() : Files.readAllBytes(Path.of(initScript));
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException(ExitStatus.MISSING_INPUT,
                    "cannot read the init script " + initScript + ": " + describe(e), e);
        }
    }

    private static byte[] readHostFile(Path host) throws CliException {
        if (Files.isDirectory(host)) {
            throw new CliException(ExitStatus.MISSING_INPUT, "--file " + host + ": is a directory, not a file");
        }
        try {
            return Files.readAllBytes(host);
        } catch (IOException e) {
            throw new CliException(ExitStatus.MISSING_INPUT, "cannot read --file " + host + ": " + describe(e), e);
        }
    }

    /** The host file's permission bits, or 0644 where the file system has none. */
    private static int hostPermissions(Path host) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(host);
            int mode = 0;
            for (PosixFilePermission p : perms) {
                mode |= 0400 >> p.ordinal(); // OWNER_READ, OWNER_WRITE, ..., OTHERS_EXECUTE
            }
            return mode;
        } catch (IOException | UnsupportedOperationException e) {
            return 0644;
        }
    }

    /** Beside the target, then renamed over it: a failed build never leaves half a file. */
    private static void writeAtomically(Path target, byte[] data) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        if (Files.isDirectory(absolute)) {
            throw new IOException("is a directory");
        }
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "no such directory");
        }
        Path tmp = dir.resolve("." + absolute.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.write(tmp, data);
            Files.move(tmp, absolute, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** "no such file" rather than "java.nio.file.NoSuchFileException: x". */
    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException n) {
            return n.getReason() != null ? n.getReason() : "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}
