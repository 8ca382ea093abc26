package dev.nucleo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nucleo.vmm.DiskSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DiskOptionTest {
    private final DiskOption option = new DiskOption();

    @Test
    void plainFileIsWritable() {
        assertEquals(new DiskSpec(Path.of("/tmp/a.img"), false), option.convert("/tmp/a.img"));
    }

    @Test
    void readonlySuffix() {
        assertEquals(new DiskSpec(Path.of("b.img"), true), option.convert("b.img,readonly"));
    }

    @Test
    void ioLimitsInAnyOrder() {
        assertEquals(new DiskSpec(Path.of("c.img"), false, 200, 0), option.convert("c.img,iops=200"));
        assertEquals(new DiskSpec(Path.of("c.img"), true, 50, 10L << 20),
                option.convert("c.img,readonly,iops=50,bps=10M"));
        assertEquals(new DiskSpec(Path.of("c.img"), true, 50, 4096),
                option.convert("c.img,bps=4096,iops=50,readonly"));
    }

    @Test
    void unknownSuffixOrNoFileIsRefused() {
        assertThrows(CommandLine.TypeConversionException.class, () -> option.convert("b.img,ro"));
        assertThrows(CommandLine.TypeConversionException.class, () -> option.convert(",readonly"));
        assertThrows(CommandLine.TypeConversionException.class, () -> option.convert(""));
        assertThrows(CommandLine.TypeConversionException.class, () -> option.convert("a,b.img"));
    }

    @Test
    void badLimitsAreRefusedWithTheirName() {
        for (String bad : new String[] {"d.img,iops=0", "d.img,iops=-3", "d.img,iops=x", "d.img,bps=fast",
                "d.img,bps=0", "d.img,iops=5,iops=6", "d.img,readonly,readonly"}) {
            var e = assertThrows(CommandLine.TypeConversionException.class, () -> option.convert(bad), bad);
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
    }
}
