package dev.nucleo.vmm.guest;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What a fetched guest is made of: the Debian package versions and the kernel version. A
 * guest directory is complete exactly when its manifest is there and of the current format;
 * the fetcher writes it last.
 */
public record GuestManifest(int format, String kernelVersion, Map<String, String> packageVersions, String mirror) {
    /** Bumped whenever the cache layout changes, so old caches are fetched again. */
    public static final int FORMAT = 1;
    static final String FILE_NAME = "manifest.properties";

    public GuestManifest {
        packageVersions = Map.copyOf(packageVersions);
    }

    /** The manifest in {@code guestDir}, if there is one of the current format. */
    static Optional<GuestManifest> read(Path guestDir) {
        Path file = guestDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!String.valueOf(FORMAT).equals(p.getProperty("format")) || p.getProperty("kernel.version") == null) {
            return Optional.empty();
        }
        Map<String, String> packages = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith("package.")) {
                packages.put(key.substring("package.".length()), p.getProperty(key));
            }
        }
        return Optional.of(new GuestManifest(FORMAT, p.getProperty("kernel.version"), packages,
                p.getProperty("mirror", "")));
    }

    void write(Path guestDir) throws IOException {
        // Written by hand rather than Properties.store: sorted and without a date line.
        Map<String, String> entries = new TreeMap<>();
        entries.put("format", String.valueOf(format));
        entries.put("kernel.version", kernelVersion);
        entries.put("mirror", mirror);
        packageVersions.forEach((pkg, version) -> entries.put("package." + pkg, version));
        StringBuilder text = new StringBuilder("# The default Nucleo guest, fetched by `nucleo guest fetch`.\n");
        entries.forEach((key, value) -> text.append(escape(key, true)).append('=').append(escape(value, false)).append('\n'));
        InitramfsBuilder.writeAtomically(guestDir.resolve(FILE_NAME), text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Escapes what Properties.load would read differently; in keys ':' '=' ' ' end the key. */
    private static String escape(String s, boolean key) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\\' -> out.append("\\\\");
                case ':', '=', ' ', '#', '!' -> out.append(key ? "\\" : "").append(c);
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
