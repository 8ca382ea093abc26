package dev.nucleo.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Raw bare-metal firmwares, encoded here instruction by instruction so the API tests need no
 * toolchain and no kernel: one prints a line on the UART and then sleeps in WFI (a running VM
 * that costs no CPU), one crashes at once.
 */
final class TinyGuests {
    private static final int WFI = 0x10500073;
    private static final int JUMP_BACK_4 = 0xffdff06f; // jal x0, -4

    private TinyGuests() {
    }

    /** Prints {@code text} on the serial port, then waits for interrupts forever. */
    static Path printer(Path dir, String text) {
        ByteBuffer code = ByteBuffer.allocate(16 + 8 * text.length()).order(ByteOrder.LITTLE_ENDIAN);
        code.putInt(0x100002b7); // lui t0, 0x10000 (the UART)
        for (char c : text.toCharArray()) {
            code.putInt((c << 20) | (6 << 7) | 0x13); // addi t1, zero, c
            code.putInt(0x00628023); // sb t1, 0(t0)
        }
        code.putInt(WFI);
        code.putInt(JUMP_BACK_4);
        return write(dir.resolve("printer.bin"), code);
    }

    /** Points its trap vector at unmapped memory and jumps to unmapped memory: the guest crashes. */
    static Path crasher(Path dir) {
        ByteBuffer code = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        code.putInt(0x400002b7); // lui t0, 0x40000
        code.putInt(0x30529073); // csrw mtvec, t0
        code.putInt(0x50000337); // lui t1, 0x50000
        code.putInt(0x00030067); // jalr zero, 0(t1)
        return write(dir.resolve("crasher.bin"), code);
    }

    private static Path write(Path file, ByteBuffer code) {
        try {
            return Files.write(file, code.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
