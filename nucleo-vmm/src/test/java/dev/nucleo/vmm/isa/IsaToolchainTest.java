package dev.nucleo.vmm.isa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The programs build with the cross toolchain into RV64 ELFs entered at the base of RAM. */
class IsaToolchainTest {
    private static final int EM_RISCV = 243;

    @ParameterizedTest(name = "{0}")
    @EnumSource(IsaProgram.class)
    void buildsAnRv64ElfEnteredAtRamBase(IsaProgram program) throws IOException {
        Path elf = RiscvToolchain.build(program);
        byte[] header = new byte[64];
        try (var in = Files.newInputStream(elf)) {
            assertEquals(64, in.readNBytes(header, 0, 64), "ELF header of " + elf);
        }
        ByteBuffer b = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x464c457f, b.getInt(0), "ELF magic");
        assertEquals(2, header[4], "ELFCLASS64");
        assertEquals(1, header[5], "little-endian");
        assertEquals(2, b.getShort(16), "ET_EXEC");
        assertEquals(EM_RISCV, b.getShort(18) & 0xffff, "EM_RISCV");
        assertEquals(0x8000_0000L, b.getLong(24), "entry point");
    }

    @Test
    void anUpToDateProgramIsNotRebuilt() throws IOException {
        Path elf = RiscvToolchain.build(IsaProgram.HELLO);
        FileTime first = Files.getLastModifiedTime(elf);
        Path again = RiscvToolchain.build(IsaProgram.HELLO);
        assertEquals(elf, again);
        assertEquals(first, Files.getLastModifiedTime(again));
    }

    @Test
    void programsLiveWhereTheBuildLooks() {
        for (IsaProgram p : IsaProgram.values()) {
            for (String s : p.sources()) {
                assertTrue(Files.isRegularFile(RiscvToolchain.sourceDir().resolve(s)), s);
            }
        }
        assertTrue(Files.isRegularFile(RiscvToolchain.sourceDir().resolve("common/link.ld")));
    }
}
