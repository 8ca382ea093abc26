package dev.nucleo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SizeParserTest {
    @Test
    void unitsArePowersOf1024() {
        assertEquals(256L << 20, SizeParser.parse("256M"));
        assertEquals(1L << 30, SizeParser.parse("1G"));
        assertEquals(512L << 20, SizeParser.parse("512MiB"));
        assertEquals(512L << 20, SizeParser.parse("512mib"));
        assertEquals(512L << 20, SizeParser.parse("512MB"));
        assertEquals(64L << 10, SizeParser.parse("64k"));
        assertEquals(2L << 40, SizeParser.parse("2T"));
        assertEquals(268435456L, SizeParser.parse("268435456"));
        assertEquals(4096L, SizeParser.parse("4096B"));
        assertEquals(1L << 30, SizeParser.parse(" 1G "));
    }

    @Test
    void badSizesAreExplained() {
        for (String bad : List.of("", "M", "12X", "1.5G", "-1G", "1GG", "0", "0M", "99999999999999999999",
                "9999999999T")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SizeParser.parse(bad), bad);
            assertTrue(e.getMessage().length() > 10, e.getMessage());
        }
    }
}
