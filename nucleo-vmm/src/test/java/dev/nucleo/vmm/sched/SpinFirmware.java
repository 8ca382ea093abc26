package dev.nucleo.vmm.sched;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A bare-metal program that keeps every hart busy forever: each hart loads, computes and
 * stores in its own 64 bytes one page above the code (so stores never hit a page that holds
 * translated code). A flat binary, loaded at the RAM base, any number of harts.
 */
final class SpinFirmware {
    private static final int[] CODE = {
        0x00000297, // auipc t0, 0
        0x00651313, // slli  t1, a0, 6        a0 = hart id
        0x006282b3, // add   t0, t0, t1
        0x00001337, // lui   t1, 1
        0x006282b3, // add   t0, t0, t1       t0 = base + 4096 + 64 * hart id
        0x0002b383, // loop: ld t2, 0(t0)
        0x00138393, // addi  t2, t2, 1
        0x02738e33, // mul   t3, t2, t2
        0x007e0e33, // add   t3, t3, t2
        0x01c2b423, // sd    t3, 8(t0)
        0x0072b023, // sd    t2, 0(t0)
        0xfe9ff06f, // j     loop
    };

    private SpinFirmware() {
    }

    static Path write(Path dir) throws IOException {
        ByteBuffer image = ByteBuffer.allocate(CODE.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int word : CODE) {
            image.putInt(word);
        }
        return Files.write(dir.resolve("spin.bin"), image.array());
    }
}
