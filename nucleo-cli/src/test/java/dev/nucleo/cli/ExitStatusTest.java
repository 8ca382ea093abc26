package dev.nucleo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nucleo.vmm.VmConfigException;
import dev.nucleo.vmm.VmExit;
import org.junit.jupiter.api.Test;

class ExitStatusTest {
    @Test
    void vmExits() {
        assertEquals(0, ExitStatus.of(new VmExit.PowerOff()));
        assertEquals(72, ExitStatus.of(new VmExit.Reset()));
        assertEquals(71, ExitStatus.of(new VmExit.GuestCrash("trap loop")));
        assertEquals(130, ExitStatus.of(new VmExit.Stopped()));
    }

    @Test
    void guestFailureCodesKeepTheirLowEightBitsButNeverZero() {
        assertEquals(3, ExitStatus.of(new VmExit.GuestFailure(3)));
        assertEquals(255, ExitStatus.of(new VmExit.GuestFailure(255)));
        assertEquals(1, ExitStatus.of(new VmExit.GuestFailure(0)));
        assertEquals(1, ExitStatus.of(new VmExit.GuestFailure(256)));
        assertEquals(0x34, ExitStatus.of(new VmExit.GuestFailure(0x1234)));
    }

    @Test
    void configErrors() {
        assertEquals(64, ExitStatus.of(VmConfigException.Kind.USAGE));
        assertEquals(65, ExitStatus.of(VmConfigException.Kind.BAD_IMAGE));
        assertEquals(66, ExitStatus.of(VmConfigException.Kind.MISSING_FILE));
    }
}
