package dev.nucleo.machine;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FdtTest {
    /** root { compatible = "ab"; n@1 { compatible = "c"; reg = <1 2>; }; } with one reservation. */
    private static byte[] smallTree() {
        Fdt fdt = new Fdt();
        fdt.reserveMemory(0x8000_0000L, 0x1000);
        fdt.bootCpu(3);
        fdt.beginNode("")
                .propertyString("compatible", "ab")
                .beginNode("n@1")
                .propertyString("compatible", "c")
                .propertyCells("reg", 1, 2)
                .endNode()
                .endNode();
        return fdt.toByteArray();
    }

    @Test
    void headerDescribesTheBlocks() {
        ByteBuffer b = ByteBuffer.wrap(smallTree());
        assertEquals(0xd00dfeed, b.getInt(0));
        int total = b.getInt(4);
        int offStruct = b.getInt(8);
        int offStrings = b.getInt(12);
        int offRsv = b.getInt(16);
        assertEquals(b.capacity(), total);
        assertEquals(40, offRsv);
        assertEquals(17, b.getInt(20));
        assertEquals(16, b.getInt(24));
        assertEquals(3, b.getInt(28), "boot_cpuid_phys");
        int sizeStrings = b.getInt(32);
        int sizeStruct = b.getInt(36);
        assertEquals(40 + 2 * 16, offStruct, "one reservation plus the terminator");
        assertEquals(offStruct + sizeStruct, offStrings);
        assertEquals(offStrings + sizeStrings, total);
        assertEquals(0x8000_0000L, b.getLong(40));
        assertEquals(0x1000, b.getLong(48));
        assertEquals(0, b.getLong(56));
        assertEquals(0, b.getLong(64));
    }

    @Test
    void structureBlockHasTheExactTokens() {
        byte[] blob = smallTree();
        ByteBuffer b = ByteBuffer.wrap(blob);
        int offStruct = b.getInt(8);
        int sizeStruct = b.getInt(36);
        int[] expected = {
            1, 0,                              // BEGIN_NODE "" (one NUL, padded to 4)
            3, 3, 0, word("ab\0\0"),           // PROP len 3 nameoff 0 "ab\0" padded
            1, word("n@1\0"),                  // BEGIN_NODE "n@1"
            3, 2, 0, word("c\0\0\0"),          // PROP compatible reuses nameoff 0
            3, 8, 11, 1, 2,                    // PROP reg: nameoff 11 ("compatible\0" is 11 bytes)
            2,                                 // END_NODE
            2,                                 // END_NODE
            9,                                 // END
        };
        assertEquals(expected.length * 4, sizeStruct);
        int[] actual = new int[expected.length];
        for (int i = 0; i < actual.length; i++) {
            actual[i] = b.getInt(offStruct + 4 * i);
        }
        assertArrayEquals(expected, actual);
    }

    @Test
    void stringsAreDeduplicated() {
        byte[] blob = smallTree();
        ByteBuffer b = ByteBuffer.wrap(blob);
        int offStrings = b.getInt(12);
        int sizeStrings = b.getInt(32);
        String strings = new String(Arrays.copyOfRange(blob, offStrings, offStrings + sizeStrings),
                StandardCharsets.US_ASCII);
        assertEquals("compatible\0reg\0", strings);
    }

    @Test
    void valueEncodings() {
        Fdt fdt = new Fdt();
        fdt.beginNode("")
                .propertyU64("big", 0x0102_0304_0506_0708L)
                .propertyStrings("list", "x", "yz")
                .propertyEmpty("flag")
                .property("raw", new byte[] {9})
                .endNode();
        byte[] blob = fdt.toByteArray();
        ByteBuffer b = ByteBuffer.wrap(blob);
        int p = b.getInt(8) + 8; // after BEGIN_NODE ""
        assertEquals(3, b.getInt(p));
        assertEquals(8, b.getInt(p + 4));
        assertEquals(0x0102_0304_0506_0708L, b.getLong(p + 12));
        p += 20;
        assertEquals(5, b.getInt(p + 4));
        assertArrayEquals("x\0yz\0".getBytes(StandardCharsets.US_ASCII), Arrays.copyOfRange(blob, p + 12, p + 17));
        p += 12 + 8;
        assertEquals(0, b.getInt(p + 4), "empty property");
        p += 12;
        assertEquals(1, b.getInt(p + 4));
        assertEquals(9, blob[p + 12]);
    }

    @Test
    void phandlesAreUniqueAndStartAtOne() {
        Fdt fdt = new Fdt();
        assertEquals(1, fdt.allocatePhandle());
        assertEquals(2, fdt.allocatePhandle());
    }

    @Test
    void freeSpaceIsCountedInTotalSize() {
        Fdt fdt = new Fdt();
        fdt.beginNode("").endNode();
        byte[] tight = fdt.toByteArray();
        byte[] padded = fdt.toByteArray(100);
        assertEquals(tight.length + 100, padded.length);
        assertEquals(padded.length, ByteBuffer.wrap(padded).getInt(4));
    }

    @Test
    void structuralMistakesAreCaught() {
        assertThrows(IllegalStateException.class, () -> new Fdt().propertyU32("x", 1));
        assertThrows(IllegalStateException.class, () -> new Fdt().beginNode("notroot"));
        assertThrows(IllegalStateException.class, () -> new Fdt().endNode());
        assertThrows(IllegalStateException.class, () -> new Fdt().toByteArray());
        assertThrows(IllegalStateException.class, () -> new Fdt().beginNode("").toByteArray());
        assertThrows(IllegalStateException.class,
                () -> new Fdt().beginNode("").beginNode("a").endNode().propertyU32("late", 1));
        assertThrows(IllegalArgumentException.class,
                () -> new Fdt().beginNode("").propertyU32("x", 1).propertyU32("x", 2));
        assertThrows(IllegalArgumentException.class,
                () -> new Fdt().beginNode("").beginNode("a").endNode().beginNode("a"));
        assertThrows(IllegalArgumentException.class, () -> new Fdt().beginNode("").beginNode("bad name"));
        assertThrows(IllegalArgumentException.class, () -> new Fdt().beginNode("").beginNode(""));
        assertThrows(IllegalArgumentException.class, () -> new Fdt().beginNode("").propertyU32("bad/name", 1));
        assertThrows(IllegalArgumentException.class, () -> new Fdt().beginNode("").propertyString("s", "a\0b"));
        assertThrows(IllegalStateException.class, () -> new Fdt().beginNode("").endNode().beginNode(""));
    }

    private static int word(String fourChars) {
        byte[] b = fourChars.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.wrap(b).getInt();
    }
}
