package dev.nucleo.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CompressedExpanderTest {

    private static int hex(String s) {
        return Integer.parseUnsignedInt(s.strip().substring(2), 16);
    }

    /** Compares as hex strings so failures are readable. */
    private static void assertExpands(String asm, String parcel, String expected) {
        assertEquals("%08x".formatted(hex(expected)), "%08x".formatted(CompressedExpander.expand(hex(parcel))), asm);
    }

    /** Reference encodings produced by GNU as 2.40 (c.* form vs. its norvc expansion), covering every
     *  RV64GC compressed form with immediates at their extremes and single scrambled bits set. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            c.addi4spn x8, sp, 4        | 0x0040 | 0x00410413
            c.addi4spn x15, sp, 1020    | 0x1FFC | 0x3FC10793
            c.addi4spn x9, sp, 512      | 0x0404 | 0x20010493
            c.addi4spn x10, sp, 8       | 0x0028 | 0x00810513
            c.fld f8, 0(x8)             | 0x2000 | 0x00043407
            c.fld f15, 248(x15)         | 0x3FFC | 0x0F87B787
            c.fld f9, 128(x10)          | 0x2144 | 0x08053487
            c.lw x8, 0(x8)              | 0x4000 | 0x00042403
            c.lw x15, 124(x15)          | 0x5FFC | 0x07C7A783
            c.lw x9, 4(x10)             | 0x4144 | 0x00452483
            c.lw x9, 64(x10)            | 0x4124 | 0x04052483
            c.ld x15, 248(x15)          | 0x7FFC | 0x0F87B783
            c.ld x11, 8(x12)            | 0x660C | 0x00863583
            c.ld x11, 128(x12)          | 0x624C | 0x08063583
            c.fsd f15, 248(x15)         | 0xBFFC | 0x0EF7BC27
            c.fsd f8, 8(x9)             | 0xA480 | 0x0084B427
            c.sw x15, 124(x15)          | 0xDFFC | 0x06F7AE23
            c.sw x8, 4(x9)              | 0xC0C0 | 0x0084A223
            c.sw x8, 64(x9)             | 0xC0A0 | 0x0484A023
            c.sd x15, 248(x15)          | 0xFFFC | 0x0EF7BC23
            c.sd x10, 128(x11)          | 0xE1C8 | 0x08A5B023
            c.nop                       | 0x0001 | 0x00000013
            c.addi x1, 1                | 0x0085 | 0x00108093
            c.addi x31, -32             | 0x1F81 | 0xFE0F8F93
            c.addi x10, 31              | 0x057D | 0x01F50513
            c.addi x2, -1               | 0x117D | 0xFFF10113
            c.addiw x1, 0               | 0x2081 | 0x0000809B
            c.addiw x31, -32            | 0x3F81 | 0xFE0F8F9B
            c.addiw x10, 31             | 0x257D | 0x01F5051B
            c.li x1, -32                | 0x5081 | 0xFE000093
            c.li x31, 31                | 0x4FFD | 0x01F00F93
            c.li x10, 0                 | 0x4501 | 0x00000513
            c.addi16sp sp, -512         | 0x7101 | 0xE0010113
            c.addi16sp sp, 496          | 0x617D | 0x1F010113
            c.addi16sp sp, 16           | 0x6141 | 0x01010113
            c.addi16sp sp, -16          | 0x717D | 0xFF010113
            c.lui x1, 1                 | 0x6085 | 0x000010B7
            c.lui x31, 0x1f             | 0x6FFD | 0x0001FFB7
            c.lui x3, 0xfffe0           | 0x7181 | 0xFFFE01B7
            c.lui x5, 0xfffff           | 0x72FD | 0xFFFFF2B7
            c.srli x8, 1                | 0x8005 | 0x00145413
            c.srli x15, 63              | 0x93FD | 0x03F7D793
            c.srli x9, 32               | 0x9081 | 0x0204D493
            c.srai x8, 1                | 0x8405 | 0x40145413
            c.srai x15, 63              | 0x97FD | 0x43F7D793
            c.srai x10, 32              | 0x9501 | 0x42055513
            c.andi x8, -32              | 0x9801 | 0xFE047413
            c.andi x15, 31              | 0x8BFD | 0x01F7F793
            c.andi x9, -1               | 0x98FD | 0xFFF4F493
            c.andi x10, 0               | 0x8901 | 0x00057513
            c.sub x8, x15               | 0x8C1D | 0x40F40433
            c.xor x15, x8               | 0x8FA1 | 0x0087C7B3
            c.or x9, x10                | 0x8CC9 | 0x00A4E4B3
            c.and x11, x12              | 0x8DF1 | 0x00C5F5B3
            c.subw x8, x15              | 0x9C1D | 0x40F4043B
            c.addw x15, x8              | 0x9FA1 | 0x008787BB
            c.j .+2046                  | 0xAFFD | 0x7FE0006F
            c.j .-2048                  | 0xB001 | 0x801FF06F
            c.j .+2                     | 0xA009 | 0x0020006F
            c.j .-2                     | 0xBFFD | 0xFFFFF06F
            c.j .+0x550                 | 0xAB81 | 0x5500006F
            c.j .+0x2aa                 | 0xA46D | 0x2AA0006F
            c.beqz x8, .+254            | 0xCC7D | 0x0E040F63
            c.beqz x15, .-256           | 0xD381 | 0xF00780E3
            c.beqz x9, .+0xaa           | 0xC4CD | 0x0A048563
            c.bnez x8, .-2              | 0xFC7D | 0xFE041FE3
            c.bnez x15, .+254           | 0xEFFD | 0x0E079F63
            c.bnez x10, .-0xac          | 0xF931 | 0xF4051AE3
            c.slli x1, 1                | 0x0086 | 0x00109093
            c.slli x31, 63              | 0x1FFE | 0x03FF9F93
            c.slli x10, 32              | 0x1502 | 0x02051513
            c.fldsp f0, 0(sp)           | 0x2002 | 0x00013007
            c.fldsp f31, 504(sp)        | 0x3FFE | 0x1F813F87
            c.fldsp f10, 64(sp)         | 0x2506 | 0x04013507
            c.lwsp x1, 0(sp)            | 0x4082 | 0x00012083
            c.lwsp x31, 252(sp)         | 0x5FFE | 0x0FC12F83
            c.lwsp x10, 4(sp)           | 0x4512 | 0x00412503
            c.lwsp x10, 192(sp)         | 0x450E | 0x0C012503
            c.ldsp x1, 0(sp)            | 0x6082 | 0x00013083
            c.ldsp x31, 504(sp)         | 0x7FFE | 0x1F813F83
            c.ldsp x10, 64(sp)          | 0x6506 | 0x04013503
            c.jr x1                     | 0x8082 | 0x00008067
            c.jr x31                    | 0x8F82 | 0x000F8067
            c.mv x1, x31                | 0x80FE | 0x01F000B3
            c.mv x31, x1                | 0x8F86 | 0x00100FB3
            c.ebreak                    | 0x9002 | 0x00100073
            c.jalr x1                   | 0x9082 | 0x000080E7
            c.jalr x31                  | 0x9F82 | 0x000F80E7
            c.add x1, x31               | 0x90FE | 0x01F080B3
            c.add x31, x1               | 0x9F86 | 0x001F8FB3
            c.fsdsp f0, 0(sp)           | 0xA002 | 0x00013027
            c.fsdsp f31, 504(sp)        | 0xBFFE | 0x1FF13C27
            c.fsdsp f10, 64(sp)         | 0xA0AA | 0x04A13027
            c.swsp x0, 0(sp)            | 0xC002 | 0x00012023
            c.swsp x31, 252(sp)         | 0xDFFE | 0x0FF12E23
            c.swsp x10, 64(sp)          | 0xC0AA | 0x04A12023
            c.sdsp x31, 504(sp)         | 0xFFFE | 0x1FF13C23
            c.sdsp x1, 8(sp)            | 0xE406 | 0x00113423
            c.sdsp x10, 64(sp)          | 0xE0AA | 0x04A13023
            """)
    void expandsEveryForm(String asm, String parcel, String expected) {
        assertExpands(asm, parcel, expected);
    }

    /** HINT encodings must expand to instructions without architectural effect (write x0 or shift by 0). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            c.nop 5 (addi x0 hint)     | 0x0015 | 0x00500013
            c.addi x5, 0               | 0x0281 | 0x00028293
            c.li x0, 1                 | 0x4005 | 0x00100013
            c.lui x0, 1                | 0x6005 | 0x00001037
            c.mv x0, x5                | 0x8016 | 0x00500033
            c.add x0, x5               | 0x9016 | 0x00500033
            c.slli x0, 1               | 0x0006 | 0x00101013
            c.slli64 x5                | 0x0282 | 0x00029293
            c.srli64 x8                | 0x8001 | 0x00045413
            c.srai64 x8                | 0x8401 | 0x40045413
            """)
    void expandsHintsToNoEffectInstructions(String asm, String parcel, String expected) {
        assertExpands(asm, parcel, expected);
    }

    @ParameterizedTest(name = "0x{0}")
    @ValueSource(strings = {
        "0000", // all-zero parcel (defined illegal)
        "0004", "0018", // C.ADDI4SPN, nzuimm = 0
        "8000", "8004", "9FFC", // quadrant 0, funct3 100 (reserved without Zcb)
        "6101", // C.ADDI16SP, imm = 0
        "6001", "6081", "6F81", // C.LUI, imm = 0 (rd = 0, 1, 31)
        "2001", "3005", "207D", // C.ADDIW, rd = 0
        "9C41", "9C61", "9FFD", // funct6 100111 with funct2 10/11 (reserved on RV64)
        "4002", "507E", // C.LWSP, rd = 0
        "6002", "707E", // C.LDSP, rd = 0
        "8002", // C.JR, rs1 = 0
        "FFFF", "0003" // bits[1:0] == 11 is not a compressed instruction
    })
    void reservedEncodingsExpandToZero(String parcel) {
        assertEquals(0, CompressedExpander.expand(Integer.parseInt(parcel, 16)));
    }

    @Test
    void exhaustiveSpaceIsWellFormed() {
        int reserved = 0;
        for (int p = 0; p < 0x10000; p++) {
            if ((p & 3) == 3) {
                continue;
            }
            int w = CompressedExpander.expand(p);
            assertEquals(w, CompressedExpander.expand(p | 0xBEEF0000), "upper parcel bits must be ignored");
            if (w == 0) {
                reserved++;
            } else {
                // a plain 32-bit instruction: bits[1:0] == 11 and bits[4:2] != 111
                assertTrue((w & 3) == 3 && (w & 0x1C) != 0x1C, () -> Integer.toHexString(w));
            }
        }
        // ADDI4SPN 8 + Q0 funct3=100 2048 + ADDIW rd=0 64 + ADDI16SP 1 + LUI imm=0 31
        // + SUBW/ADDW group 128 + LWSP 64 + LDSP 64 + JR 1
        assertEquals(2409, reserved);
    }

    // ---- cross-check against the GNU cross assembler, when installed ----

    private static final Path AS = Path.of("/usr/bin/riscv64-unknown-elf-as");
    private static final Path OBJCOPY = Path.of("/usr/bin/riscv64-unknown-elf-objcopy");

    /**
     * Assembles a sweep over all immediates/registers of every compressed form twice: explicit c.* mnemonics
     * under {@code .option rvc} and the canonical expansion under {@code .option norvc}; each 16-bit parcel
     * must expand to the corresponding 32-bit word.
     */
    @Test
    void matchesGnuAssembler(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(AS) && Files.isExecutable(OBJCOPY), "riscv64-unknown-elf binutils not installed");
        List<String[]> pairs = sweep();
        StringBuilder src = new StringBuilder(".option norelax\n.option rvc\n");
        pairs.forEach(p -> src.append(p[0]).append('\n'));
        src.append(".balign 4\n.option norvc\n");
        pairs.forEach(p -> src.append(p[1]).append('\n'));
        Path s = dir.resolve("c.s"), o = dir.resolve("c.o"), bin = dir.resolve("c.bin");
        Files.writeString(s, src);
        run(AS.toString(), "-march=rv64gc", "-o", o.toString(), s.toString());
        run(OBJCOPY.toString(), "-O", "binary", "-j", ".text", o.toString(), bin.toString());

        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(bin)).order(ByteOrder.LITTLE_ENDIAN);
        int n = pairs.size();
        int base = b.capacity() - 4 * n; // 32-bit section follows the parcels (plus alignment padding)
        assertTrue(base >= 2 * n && base <= 2 * n + 2, "unexpected image size " + b.capacity());
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int parcel = b.getShort(2 * i) & 0xFFFF;
            int want = b.getInt(base + 4 * i);
            int got = CompressedExpander.expand(parcel);
            if (got != want) {
                failures.add(String.format("%s [%04x]: got %08x, want %08x (%s)", pairs.get(i)[0], parcel, got, want,
                        pairs.get(i)[1]));
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " mismatches, e.g. " + failures.subList(0, Math.min(10, failures.size())));
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ": " + out);
    }

    /** Pairs of (compressed assembly, equivalent 32-bit assembly). Registers rotate with the immediate. */
    private static List<String[]> sweep() {
        List<String[]> l = new ArrayList<>();
        for (int u = 4; u <= 1020; u += 4) {
            add(l, "c.addi4spn x%d, sp, %d", "addi x%d, sp, %d", 8 + u / 4 % 8, u);
        }
        for (int off = 0; off <= 248; off += 8) {
            int rd = 8 + off / 8 % 8, rs = 15 - off / 8 % 8;
            for (String[] m : new String[][] {{"c.fld f", "fld f"}, {"c.ld x", "ld x"}, {"c.fsd f", "fsd f"}, {"c.sd x", "sd x"}}) {
                add(l, m[0] + "%d, %d(x%d)", m[1] + "%d, %d(x%d)", rd, off, rs);
            }
        }
        for (int off = 0; off <= 124; off += 4) {
            int rd = 8 + off / 4 % 8, rs = 15 - off / 4 % 8;
            add(l, "c.lw x%d, %d(x%d)", "lw x%d, %d(x%d)", rd, off, rs);
            add(l, "c.sw x%d, %d(x%d)", "sw x%d, %d(x%d)", rd, off, rs);
        }
        l.add(new String[] {"c.nop", "addi x0, x0, 0"});
        for (int imm = -32; imm <= 31; imm++) {
            int rd = 1 + (imm + 32) % 31, rdp = 8 + (imm + 32) % 8;
            if (imm != 0) {
                add(l, "c.addi x%d, %d", "addi x%1$d, x%1$d, %2$d", rd, imm);
            }
            add(l, "c.addiw x%d, %d", "addiw x%1$d, x%1$d, %2$d", rd, imm);
            add(l, "c.li x%d, %d", "addi x%d, x0, %d", rd, imm);
            add(l, "c.andi x%d, %d", "andi x%1$d, x%1$d, %2$d", rdp, imm);
            if (imm != 0) {
                int lui = imm & 0xFFFFF;
                add(l, "c.lui x%d, %d", "lui x%d, %d", rd == 2 ? 3 : rd, lui);
            }
        }
        for (int imm = -512; imm <= 496; imm += 16) {
            if (imm != 0) {
                add(l, "c.addi16sp sp, %d", "addi sp, sp, %d", imm);
            }
        }
        for (int sh = 1; sh <= 63; sh++) {
            int rd = 1 + sh % 31, rdp = 8 + sh % 8;
            add(l, "c.slli x%d, %d", "slli x%1$d, x%1$d, %2$d", rd, sh);
            add(l, "c.srli x%d, %d", "srli x%1$d, x%1$d, %2$d", rdp, sh);
            add(l, "c.srai x%d, %d", "srai x%1$d, x%1$d, %2$d", rdp, sh);
        }
        for (int rd = 8; rd < 16; rd++) {
            for (int rs = 8; rs < 16; rs++) {
                for (String op : new String[] {"sub", "xor", "or", "and", "subw", "addw"}) {
                    l.add(new String[] {"c.%s x%d, x%d".formatted(op, rd, rs), "%s x%d, x%d, x%d".formatted(op, rd, rd, rs)});
                }
            }
        }
        for (int off = -2048; off <= 2046; off += 2) {
            add(l, "c.j .%+d", "jal x0, .%+d", off);
        }
        for (int off = -256; off <= 254; off += 2) {
            int rs = 8 + (off / 2 & 7);
            add(l, "c.beqz x%d, .%+d", "beq x%d, x0, .%+d", rs, off);
            add(l, "c.bnez x%d, .%+d", "bne x%d, x0, .%+d", rs, off);
        }
        for (int off = 0; off <= 504; off += 8) {
            int r = off / 8 % 32, rn0 = 1 + off / 8 % 31;
            add(l, "c.fldsp f%d, %d(sp)", "fld f%d, %d(sp)", r, off);
            add(l, "c.ldsp x%d, %d(sp)", "ld x%d, %d(sp)", rn0, off);
            add(l, "c.fsdsp f%d, %d(sp)", "fsd f%d, %d(sp)", r, off);
            add(l, "c.sdsp x%d, %d(sp)", "sd x%d, %d(sp)", r, off);
        }
        for (int off = 0; off <= 252; off += 4) {
            add(l, "c.lwsp x%d, %d(sp)", "lw x%d, %d(sp)", 1 + off / 4 % 31, off);
            add(l, "c.swsp x%d, %d(sp)", "sw x%d, %d(sp)", off / 4 % 32, off);
        }
        for (int r = 1; r < 32; r++) {
            add(l, "c.jr x%d", "jalr x0, 0(x%d)", r);
            add(l, "c.jalr x%d", "jalr x1, 0(x%d)", r);
            add(l, "c.mv x%d, x%d", "add x%d, x0, x%d", r, 32 - r);
            add(l, "c.add x%d, x%d", "add x%1$d, x%1$d, x%2$d", r, 32 - r);
        }
        l.add(new String[] {"c.ebreak", "ebreak"});
        return l;
    }

    private static void add(List<String[]> l, String compressed, String expanded, Object... args) {
        l.add(new String[] {compressed.formatted(args), expanded.formatted(args)});
    }
}
