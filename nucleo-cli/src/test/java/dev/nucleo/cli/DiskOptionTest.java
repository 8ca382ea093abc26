package dev.nucleo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
    void unknownSuffixOrNoFileIsRefused() {
        assertThrows(CommandLine.TypeConversionException.class, () -> option.convert("b.img,ro"));
        assertThrows(CommandLine.TypeConversionException.class, () -> option.convert(",readonly"));
        assertThrows(CommandLine.TypeConversionException.class, () -> option.convert(""));
    }
}
