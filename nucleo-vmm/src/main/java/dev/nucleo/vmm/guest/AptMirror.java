package dev.nucleo.vmm.guest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Debian archive mirror this host already uses, read from its apt configuration, so the
 * project never names a mirror itself. {@code $NUCLEO_DEBIAN_MIRROR} overrides it.
 */
public final class AptMirror {
    static final Path DEB822_SOURCES = Path.of("/etc/apt/sources.list.d/debian.sources");
    static final Path ONE_LINE_SOURCES = Path.of("/etc/apt/sources.list");

    private AptMirror() {
    }

    /** The host's Debian mirror URI, e.g. {@code http://<mirror>/debian}. */
    public static String fromHost() throws GuestFetchException {
        String override = System.getenv("NUCLEO_DEBIAN_MIRROR");
        if (override != null && !override.isBlank()) {
            return override.strip();
        }
        try {
            if (Files.isRegularFile(DEB822_SOURCES)) {
                Optional<String> uri = fromDeb822(Files.readString(DEB822_SOURCES));
                if (uri.isPresent()) {
                    return uri.get();
                }
            }
            if (Files.isRegularFile(ONE_LINE_SOURCES)) {
                Optional<String> uri = fromOneLine(Files.readString(ONE_LINE_SOURCES));
                if (uri.isPresent()) {
                    return uri.get();
                }
            }
        } catch (IOException e) {
            throw new GuestFetchException("cannot read the host's apt sources: " + e.getMessage(), e);
        }
        throw new GuestFetchException("found no Debian mirror in " + DEB822_SOURCES + " or "
                + ONE_LINE_SOURCES + "; set NUCLEO_DEBIAN_MIRROR to a Debian archive URI");
    }

    /**
     * The first URI of an enabled {@code deb} stanza of a deb822 {@code .sources} file that
     * serves the main archive (not a {@code -security} suite, which lives in another archive).
     */
    static Optional<String> fromDeb822(String text) {
        for (Map<String, String> stanza : deb822Stanzas(text)) {
            String types = stanza.getOrDefault("types", "");
            String enabled = stanza.getOrDefault("enabled", "yes");
            String uris = stanza.getOrDefault("uris", "").strip();
            if (!words(types).contains("deb") || enabled.equalsIgnoreCase("no") || uris.isEmpty()) {
                continue;
            }
            if (servesMainArchive(words(stanza.getOrDefault("suites", "")))) {
                return Optional.of(words(uris).getFirst());
            }
        }
        return Optional.empty();
    }

    /** The URI of the first {@code deb} line of a one-line-style {@code sources.list}. */
    static Optional<String> fromOneLine(String text) {
        for (String raw : text.split("\n")) {
            String line = stripComment(raw).strip();
            if (!line.startsWith("deb ") && !line.startsWith("deb\t")) {
                continue;
            }
            String rest = line.substring(3).strip();
            if (rest.startsWith("[")) {
                int close = rest.indexOf(']');
                if (close < 0) {
                    continue;
                }
                rest = rest.substring(close + 1).strip();
            }
            List<String> fields = words(rest);
            if (fields.size() >= 2 && servesMainArchive(List.of(fields.get(1)))) {
                return Optional.of(fields.get(0));
            }
        }
        return Optional.empty();
    }

    private static boolean servesMainArchive(List<String> suites) {
        return suites.stream().anyMatch(s -> !s.endsWith("-security") && !s.endsWith("/updates"));
    }

    /** Splits deb822 text into stanzas of lower-cased field names to values. */
    private static List<Map<String, String>> deb822Stanzas(String text) {
        List<Map<String, String>> stanzas = new ArrayList<>();
        Map<String, String> current = new LinkedHashMap<>();
        String lastKey = null;
        for (String raw : text.split("\n")) {
            if (raw.startsWith("#")) {
                continue;
            }
            if (raw.isBlank()) {
                if (!current.isEmpty()) {
                    stanzas.add(current);
                    current = new LinkedHashMap<>();
                }
                lastKey = null;
                continue;
            }
            if (Character.isWhitespace(raw.charAt(0)) && lastKey != null) {
                current.merge(lastKey, " " + raw.strip(), String::concat);
                continue;
            }
            int colon = raw.indexOf(':');
            if (colon > 0) {
                lastKey = raw.substring(0, colon).strip().toLowerCase(java.util.Locale.ROOT);
                current.put(lastKey, raw.substring(colon + 1).strip());
            }
        }
        if (!current.isEmpty()) {
            stanzas.add(current);
        }
        return stanzas;
    }

    private static String stripComment(String line) {
        int hash = line.indexOf('#');
        return hash < 0 ? line : line.substring(0, hash);
    }

    private static List<String> words(String s) {
        String stripped = s.strip();
        return stripped.isEmpty() ? List.of() : List.of(stripped.split("\\s+"));
    }
}
