package dev.nucleo.machine;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The SiFive test finisher ({@code sifive,test0}), which Linux also drives as a syscon for
 * power-off and reboot. A write to offset 0 whose low 16 bits are {@code 0x5555} powers off,
 * {@code 0x7777} resets, and {@code 0x3333} fails with exit code {@code value >>> 16}. Other
 * values are ignored, as is everything after the first request. Reads return 0.
 */
public final class TestFinisher implements MmioDevice {
    static final int FAIL = 0x3333;
    static final int PASS = 0x5555;
    static final int RESET = 0x7777;

    private final PowerControl power;
    private final AtomicBoolean stopped = new AtomicBoolean();

    public TestFinisher(PowerControl power) {
        this.power = Objects.requireNonNull(power, "power");
    }

    /** Whether the guest has made its (single) power request. */
    public boolean stopped() {
        return stopped.get();
    }

    /** Accepts a new request again, for a board that is reset in place rather than rebuilt. */
    public void rearm() {
        stopped.set(false);
    }

    @Override
    public long read(long offset, int size) {
        return 0;
    }

    @Override
    public void write(long offset, int size, long value) {
        if (offset != 0) {
            return;
        }
        int word = (int) value; // the register is 32-bit; a wider write's upper half is ignored
        int command = word & 0xffff;
        if (command != FAIL && command != PASS && command != RESET) {
            return;
        }
        if (!stopped.compareAndSet(false, true)) {
            return; // harts racing to stop: only the first request counts
        }
        switch (command) {
            case PASS -> power.powerOff();
            case RESET -> power.reset();
            default -> power.fail(word >>> 16);
        }
    }
}
