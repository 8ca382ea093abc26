package dev.nucleo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nucleo.vmm.ConsoleDeviceSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ConsoleDeviceOptionTest {
    private final ConsoleDeviceOption option = new ConsoleDeviceOption();

    @Test
    void socketPath() {
        assertEquals(new ConsoleDeviceSpec(Path.of("/tmp/vm/hvc0.sock")), option.convert("socket=/tmp/vm/hvc0.sock"));
        assertEquals(new ConsoleDeviceSpec(Path.of("rel.sock")), option.convert("socket=rel.sock"));
    }

    @Test
    void anythingElseIsAUsageError() {
        assertThrows(CommandLine.TypeConversionException.class, () -> option.convert("/tmp/hvc0.sock"));
        assertThrows(CommandLine.TypeConversionException.class, () -> option.convert("socket="));
        assertThrows(CommandLine.TypeConversionException.class, () -> option.convert("tcp=localhost:4000"));
        assertThrows(CommandLine.TypeConversionException.class, () -> option.convert("socket=a\0b"));
    }
}
