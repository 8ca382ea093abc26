package dev.nucleo.machine;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Writes a flattened device tree blob (DTB, version 17, as in the Devicetree Specification
 * v0.4 chapter 5) from a sequence of calls: {@code beginNode}, properties, child nodes,
 * {@code endNode}, starting with the root node (named {@code ""}), then {@link #toByteArray()}.
 *
 * <p>Property names are stored once in the strings block and shared. Values are big-endian as
 * the format requires: a u32 is one cell, a u64 two cells (high first). Structural mistakes
 * (a property after a child node, a duplicate name, unbalanced nodes, bad characters) throw
 * {@link IllegalArgumentException} or {@link IllegalStateException} at the call that makes them.
 * Not thread-safe; one instance builds one blob.
 */
public final class Fdt {
    public static final int MAGIC = 0xd00d_feed;
    public static final int VERSION = 17;
    public static final int LAST_COMPATIBLE_VERSION = 16;

    static final int HEADER_SIZE = 40;
    static final int FDT_BEGIN_NODE = 0x1;
    static final int FDT_END_NODE = 0x2;
    static final int FDT_PROP = 0x3;
    static final int FDT_END = 0x9;

    /** Open node: what has been written into it so far. */
    private static final class Node {
        final Set<String> properties = new HashSet<>();
        final Set<String> children = new HashSet<>();
    }

    private final ByteArrayOutputStream struct = new ByteArrayOutputStream();
    private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
    private final Map<String, Integer> stringOffsets = new HashMap<>();
    private final List<long[]> reservations = new ArrayList<>();
    private final Deque<Node> open = new ArrayDeque<>();
    private boolean rootDone;
    private int nextPhandle = 1;
    private int bootCpuId;

    /** Opens a node; {@code ""} for the root, else e.g. {@code "serial@10000000"}. */
    public Fdt beginNode(String name) {
        Objects.requireNonNull(name, "name");
        if (open.isEmpty()) {
            if (rootDone || !name.isEmpty()) {
                throw new IllegalStateException(rootDone ? "the root node is already closed"
                        : "the first node must be the root, named \"\"");
            }
        } else {
            checkNodeName(name);
            if (!open.peek().children.add(name)) {
                throw new IllegalArgumentException("duplicate node " + name);
            }
        }
        writeInt(struct, FDT_BEGIN_NODE);
        writePaddedString(name);
        open.push(new Node());
        return this;
    }

    /** Closes the innermost open node. */
    public Fdt endNode() {
        if (open.isEmpty()) {
            throw new IllegalStateException("endNode without an open node");
        }
        open.pop();
        writeInt(struct, FDT_END_NODE);
        if (open.isEmpty()) {
            rootDone = true;
        }
        return this;
    }

    /** A property with a raw value. */
    public Fdt property(String name, byte[] value) {
        checkPropertyName(name);
        Node node = open.peek();
        if (node == null) {
            throw new IllegalStateException("property " + name + " outside any node");
        }
        if (!node.children.isEmpty()) {
            throw new IllegalStateException("property " + name + " after a child node; properties come first");
        }
        if (!node.properties.add(name)) {
            throw new IllegalArgumentException("duplicate property " + name);
        }
        writeInt(struct, FDT_PROP);
        writeInt(struct, value.length);
        writeInt(struct, stringOffset(name));
        struct.writeBytes(value);
        pad(struct);
        return this;
    }

    /** A property with no value (a boolean flag such as {@code interrupt-controller}). */
    public Fdt propertyEmpty(String name) {
        return property(name, new byte[0]);
    }

    /** A property of one or more u32 cells. */
    public Fdt propertyCells(String name, int... cells) {
        ByteBuffer b = ByteBuffer.allocate(4 * cells.length).order(ByteOrder.BIG_ENDIAN);
        for (int c : cells) {
            b.putInt(c);
        }
        return property(name, b.array());
    }

    /** A property of one u32 cell. */
    public Fdt propertyU32(String name, int value) {
        return propertyCells(name, value);
    }

    /** A property of one or more u64 values, two cells each (high cell first). */
    public Fdt propertyU64(String name, long... values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.BIG_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return property(name, b.array());
    }

    /** A NUL-terminated string property. */
    public Fdt propertyString(String name, String value) {
        return propertyStrings(name, value);
    }

    /** A string-list property: each string NUL-terminated, back to back. */
    public Fdt propertyStrings(String name, String... values) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (String v : values) {
            b.writeBytes(cString(v));
        }
        return property(name, b.toByteArray());
    }

    /** A fresh phandle value (1, 2, ...); write it with {@code propertyU32("phandle", p)}. */
    public int allocatePhandle() {
        return nextPhandle++;
    }

    /** Adds an entry to the memory reservation block. */
    public Fdt reserveMemory(long address, long size) {
        reservations.add(new long[] {address, size});
        return this;
    }

    /** Sets boot_cpuid_phys in the header (default 0). */
    public Fdt bootCpu(int physicalId) {
        this.bootCpuId = physicalId;
        return this;
    }

    /** The finished blob, exactly as large as its contents. */
    public byte[] toByteArray() {
        return toByteArray(0);
    }

    /**
     * The finished blob with {@code freeSpace} zero bytes of slack at the end, counted in
     * totalsize, for consumers that edit the tree in place (OpenSBI adds nodes to it).
     */
    public byte[] toByteArray(int freeSpace) {
        if (!rootDone) {
            throw new IllegalStateException(open.isEmpty() ? "no root node written"
                    : open.size() + " node(s) still open");
        }
        if (freeSpace < 0) {
            throw new IllegalArgumentException("negative free space " + freeSpace);
        }
        ByteArrayOutputStream structBlock = new ByteArrayOutputStream();
        structBlock.writeBytes(struct.toByteArray());
        writeInt(structBlock, FDT_END);
        byte[] structBytes = structBlock.toByteArray();
        byte[] stringBytes = strings.toByteArray();

        int rsvOffset = HEADER_SIZE; // 8-aligned, as the reservation block must be
        int rsvSize = 16 * (reservations.size() + 1);
        int structOffset = rsvOffset + rsvSize;
        int stringsOffset = structOffset + structBytes.length;
        int totalSize = Math.addExact(stringsOffset + stringBytes.length, freeSpace);

        ByteBuffer out = ByteBuffer.allocate(totalSize).order(ByteOrder.BIG_ENDIAN);
        out.putInt(MAGIC)
                .putInt(totalSize)
                .putInt(structOffset)
                .putInt(stringsOffset)
                .putInt(rsvOffset)
                .putInt(VERSION)
                .putInt(LAST_COMPATIBLE_VERSION)
                .putInt(bootCpuId)
                .putInt(stringBytes.length)
                .putInt(structBytes.length);
        for (long[] r : reservations) {
            out.putLong(r[0]).putLong(r[1]);
        }
        out.putLong(0).putLong(0); // terminating entry
        out.put(structBytes).put(stringBytes);
        return out.array();
    }

    private int stringOffset(String name) {
        return stringOffsets.computeIfAbsent(name, n -> {
            int offset = strings.size();
            strings.writeBytes(cString(n));
            return offset;
        });
    }

    private void writePaddedString(String s) {
        struct.writeBytes(cString(s));
        pad(struct);
    }

    private static byte[] cString(String s) {
        Objects.requireNonNull(s, "string value");
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("string contains NUL: " + s);
        }
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        byte[] withNul = new byte[utf8.length + 1];
        System.arraycopy(utf8, 0, withNul, 0, utf8.length);
        return withNul;
    }

    private static void pad(ByteArrayOutputStream b) {
        while (b.size() % 4 != 0) {
            b.write(0);
        }
    }

    private static void writeInt(ByteArrayOutputStream b, int v) {
        b.write(v >>> 24);
        b.write(v >>> 16);
        b.write(v >>> 8);
        b.write(v);
    }

    private static void checkNodeName(String name) {
        if (name.isEmpty() || !name.chars().allMatch(c -> isAlnum(c) || ",._+-@".indexOf(c) >= 0)
                || name.indexOf('@') != name.lastIndexOf('@') || name.startsWith("@")) {
            throw new IllegalArgumentException("invalid node name \"" + name + "\"");
        }
    }

    private static void checkPropertyName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || !name.chars().allMatch(c -> isAlnum(c) || ",._+?#-".indexOf(c) >= 0)) {
            throw new IllegalArgumentException("invalid property name \"" + name + "\"");
        }
    }

    private static boolean isAlnum(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
