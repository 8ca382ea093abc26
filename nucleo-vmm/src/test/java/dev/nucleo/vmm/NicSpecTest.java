package dev.nucleo.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nucleo.virtio.net.MacAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The {@code --net} syntax and the stable default MAC. */
class NicSpecTest {
    @Test
    void parsesEachBackendWithAndWithoutAMac() {
        assertEquals(new NicSpec.StreamListen(Path.of("/tmp/l.sock")), NicSpec.parse("stream=listen:/tmp/l.sock").backend());
        assertEquals(new NicSpec.StreamConnect(Path.of("/tmp/l.sock")), NicSpec.parse("stream=connect:/tmp/l.sock").backend());
        assertEquals(new NicSpec.Tap("tap0"), NicSpec.parse("tap=tap0").backend());
        NicSpec withMac = NicSpec.parse("tap=tap0,mac=52:54:00:aa:bb:cc");
        assertEquals(MacAddress.parse("52:54:00:aa:bb:cc"), withMac.mac());
    }

    @Test
    void defaultMacIsStableAndDiffersBetweenTheTwoEndsOfALink() {
        NicSpec listen = NicSpec.parse("stream=listen:/tmp/l.sock");
        assertEquals(listen.mac(), NicSpec.parse("stream=listen:/tmp/l.sock").mac());
        assertNotEquals(listen.mac(), NicSpec.parse("stream=connect:/tmp/l.sock").mac());
        assertNotEquals(NicSpec.parse("tap=tap0").mac(), NicSpec.parse("tap=tap1").mac());
    }

    @Test
    void rejectsWhatIsNotASpec() {
        assertThrows(IllegalArgumentException.class, () -> NicSpec.parse(""));
        assertThrows(IllegalArgumentException.class, () -> NicSpec.parse("user"));
        assertThrows(IllegalArgumentException.class, () -> NicSpec.parse("tap=a b"));
        assertThrows(IllegalArgumentException.class, () -> NicSpec.parse("tap=tap0,mac=52:54:00:aa:bb:cc,mac=52:54:00:aa:bb:cd"));
        assertThrows(IllegalArgumentException.class, () -> NicSpec.parse("stream=connect:"));
    }
}
