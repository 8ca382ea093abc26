package dev.nucleo.vmm;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The metadata file of a snapshot ({@value #METADATA}): the format name and version, then
 * named sections (the spec, the memory checksums, each hart, each device), then a CRC32C over
 * everything before it. Layout, big-endian:
 * <pre>
 *   utf "nucleo-snapshot", int version,
 *   int n, n × (utf name, int length, length bytes),
 *   int crc32c
 * </pre>
 * The guest's memory is the sparse file {@value #MEMORY} beside it ({@link MemoryImage}).
 */
final class SnapshotFile {
    static final String FORMAT = "nucleo-snapshot";
    static final int VERSION = 1;
    static final String METADATA = "vm.state";
    static final String MEMORY = "memory.raw";
    private static final int MAX_METADATA = 64 << 20;
    private static final int MAX_SECTIONS = 1024;

    private SnapshotFile() {
    }

    static void write(Path file, Map<String, byte[]> sections) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeUTF(FORMAT);
        out.writeInt(VERSION);
        out.writeInt(sections.size());
        for (Map.Entry<String, byte[]> s : sections.entrySet()) {
            out.writeUTF(s.getKey());
            out.writeInt(s.getValue().length);
            out.write(s.getValue());
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes.toByteArray());
        out.writeInt((int) crc.getValue());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes.toByteArray());
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
    }

    /** The sections, in order; every structural problem is a SnapshotException naming the file. */
    static Map<String, byte[]> read(Path dir) throws SnapshotException {
        Path file = dir.resolve(METADATA);
        byte[] data;
        try {
            if (Files.size(file) > MAX_METADATA) {
                throw new SnapshotException(file + " is too large to be a snapshot's metadata");
            }
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new SnapshotException(dir + " is not a snapshot: " + METADATA + " is missing");
        } catch (IOException e) {
            throw new SnapshotException("cannot read " + file + ": " + e.getMessage());
        }
        ByteBuffer in = ByteBuffer.wrap(data);
        try {
            String format = readUtf(in);
            if (!FORMAT.equals(format)) {
                throw new SnapshotException(file + " is not a Nucleo snapshot");
            }
            int version = in.getInt();
            if (version != VERSION) {
                throw new SnapshotException(file + " has snapshot format version " + version
                        + "; this Nucleo reads version " + VERSION);
            }
            if (data.length < 4) {
                throw new SnapshotException(file + " is truncated");
            }
            CRC32C crc = new CRC32C();
            crc.update(data, 0, data.length - 4);
            if ((int) crc.getValue() != ByteBuffer.wrap(data, data.length - 4, 4).getInt()) {
                throw new SnapshotException(file + " is corrupt or truncated (checksum mismatch)");
            }
            int count = in.getInt();
            if (count < 0 || count > MAX_SECTIONS) {
                throw new SnapshotException(file + " claims " + count + " sections");
            }
            Map<String, byte[]> sections = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = readUtf(in);
                int length = in.getInt();
                if (length < 0 || length > in.remaining() - 4) {
                    throw new SnapshotException(file + ": section " + name + " runs past the end");
                }
                byte[] body = new byte[length];
                in.get(body);
                sections.put(name, body);
            }
            if (in.remaining() != 4) {
                throw new SnapshotException(file + ": " + (in.remaining() - 4) + " stray bytes after the sections");
            }
            return sections;
        } catch (java.nio.BufferUnderflowException e) {
            throw new SnapshotException(file + " is truncated");
        }
    }

    private static String readUtf(ByteBuffer in) throws SnapshotException {
        int length = Short.toUnsignedInt(in.getShort());
        if (length > in.remaining()) {
            throw new SnapshotException("snapshot metadata is truncated or not a Nucleo snapshot");
        }
        byte[] bytes = new byte[length + 2];
        in.get(in.position() - 2, bytes, 0, 2);
        in.get(bytes, 2, length);
        try {
            return new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes)).readUTF();
        } catch (IOException e) {
            throw new SnapshotException("snapshot metadata holds a malformed name");
        }
    }
}
