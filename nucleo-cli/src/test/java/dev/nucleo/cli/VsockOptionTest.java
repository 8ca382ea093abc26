package dev.nucleo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nucleo.vmm.VsockSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class VsockOptionTest {
    private final VsockOption option = new VsockOption();

    @Test
    void cidAndSocketInEitherOrder() {
        assertEquals(new VsockSpec(3, Path.of("/tmp/v.sock")), option.convert("cid=3,socket=/tmp/v.sock"));
        assertEquals(new VsockSpec(42, Path.of("v.sock")), option.convert("socket=v.sock,cid=42"));
    }

    @Test
    void reservedOrBadCidsAndMissingPartsAreRefused() {
        for (String bad : new String[] {"cid=2,socket=v", "cid=0,socket=v", "cid=-3,socket=v", "cid=x,socket=v",
                "cid=4294967295,socket=v", "cid=3", "socket=v", "cid=3,socket=", "cid=3,socket=v,mode=x", ""}) {
            assertThrows(CommandLine.TypeConversionException.class, () -> option.convert(bad), bad);
        }
    }

    @Test
    void badVsockValueIsAUsageError() {
        CliRun.of("run", "--vsock", "cid=2,socket=/tmp/nucleo-never.sock").expect(64, "--vsock", "cid");
    }
}
