package dev.nucleo.vmm;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskCheckTest {
    @TempDir
    Path dir;

    private VmConfigException.Kind kindOf(List<DiskSpec> disks) {
        return assertThrows(VmConfigException.class, () -> DiskCheck.check(disks)).kind();
    }

    @Test
    void goodDisksPass() throws Exception {
        Path a = Files.write(dir.resolve("a.img"), new byte[4096]);
        Path b = Files.write(dir.resolve("b.img"), new byte[512]);
        assertDoesNotThrow(() -> DiskCheck.check(List.of(new DiskSpec(a, false), new DiskSpec(b, true),
                new DiskSpec(b, true))));
    }

    @Test
    void missingFileOrDirectory() {
        assertEquals(VmConfigException.Kind.MISSING_FILE, kindOf(List.of(new DiskSpec(dir.resolve("nope"), false))));
        assertEquals(VmConfigException.Kind.MISSING_FILE, kindOf(List.of(new DiskSpec(dir, true))));
    }

    @Test
    void smallerThanOneSector() throws Exception {
        Path tiny = Files.write(dir.resolve("tiny.img"), new byte[100]);
        assertEquals(VmConfigException.Kind.BAD_IMAGE, kindOf(List.of(new DiskSpec(tiny, true))));
    }

    @Test
    void writableDiskGivenTwice() throws Exception {
        Path a = Files.write(dir.resolve("a.img"), new byte[4096]);
        assertEquals(VmConfigException.Kind.USAGE, kindOf(List.of(new DiskSpec(a, false),
                new DiskSpec(dir.resolve(".").resolve("a.img"), true))));
    }

    @Test
    void atMostEightDisks() throws Exception {
        Path a = Files.write(dir.resolve("a.img"), new byte[4096]);
        assertEquals(VmConfigException.Kind.USAGE, kindOf(Collections.nCopies(9, new DiskSpec(a, true))));
    }

    @Test
    void ioLimitsMustMakeSense() throws Exception {
        Path a = Files.write(dir.resolve("a.img"), new byte[4096]);
        assertDoesNotThrow(() -> DiskCheck.check(List.of(new DiskSpec(a, false, 100, 1 << 20))));
        VmConfigException e = assertThrows(VmConfigException.class,
                () -> DiskCheck.check(List.of(new DiskSpec(a, false, -1, 0))));
        assertEquals(VmConfigException.Kind.USAGE, e.kind());
        assertTrue(e.getMessage().contains("iops"), e.getMessage());
        e = assertThrows(VmConfigException.class, () -> DiskCheck.check(List.of(new DiskSpec(a, false, 0, 100))));
        assertTrue(e.getMessage().contains("bps must be at least 512"), e.getMessage());
    }
}
