package dev.nucleo.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The VM definitions on disk: one JSON file per VM, {@code <id>.json}, in the state directory.
 * A write is atomic and durable: the new text goes to a temporary file that is fsynced, then
 * renamed over the old one, then the directory is fsynced so the rename itself survives a
 * power cut. A crash at any point leaves either the old definition or the new one.
 */
final class DefinitionStore {
    private static final String SUFFIX = ".json";
    private static final String TEMP_PREFIX = ".tmp-";

    private final Path dir;
    private final ObjectMapper json;

    DefinitionStore(Path dir, ObjectMapper json) throws IOException {
        this.dir = dir;
        this.json = json;
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
    }

    Path dir() {
        return dir;
    }

    void save(VmDefinition definition) throws IOException {
        writeAtomically(dir.resolve(definition.id() + SUFFIX),
                json.writerWithDefaultPrettyPrinter().writeValueAsBytes(definition));
    }

    /**
     * Replaces {@code target} with {@code bytes} so that a crash leaves either the old or the new
     * file, never a part: a temporary file beside it (owner-only), fsync, atomic rename, fsync of
     * the directory.
     */
    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path temp = target.resolveSibling(TEMP_PREFIX + target.getFileName());
        try {
            Files.deleteIfExists(temp);
            try (FileChannel channel = FileChannel.open(temp, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                channel.write(java.nio.ByteBuffer.wrap(bytes));
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        syncDirectory(target.getParent());
    }

    void delete(String id) throws IOException {
        Files.deleteIfExists(dir.resolve(id + SUFFIX));
        syncDirectory(dir);
    }

    /** What a load found: the definitions, and a note for each file that could not be read. */
    record Loaded(List<VmDefinition> definitions, List<String> problems) {
    }

    /** Every definition, oldest first; unreadable files are reported and left where they are. */
    Loaded load() throws IOException {
        List<VmDefinition> definitions = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                if (file.getFileName().toString().startsWith(TEMP_PREFIX)) {
                    continue; // a write that never completed; the real file is intact
                }
                try {
                    VmDefinition definition = json.readValue(file.toFile(), VmDefinition.class);
                    if (definition.id() == null || definition.config() == null || definition.name() == null
                            || !file.getFileName().toString().equals(definition.id() + SUFFIX)) {
                        problems.add(file + ": not a VM definition");
                    } else {
                        definitions.add(definition);
                    }
                } catch (IOException e) {
                    problems.add(file + ": " + e.getMessage().lines().findFirst().orElse(""));
                }
            }
        }
        definitions.sort(Comparator.comparing(VmDefinition::created, Comparator.nullsFirst(Comparator.naturalOrder())).thenComparing(VmDefinition::name));
        return new Loaded(definitions, problems);
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
