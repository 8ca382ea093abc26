package dev.nucleo.cpu;

/** Bit numbers of the mip/mie registers (RISC-V privileged spec, 3.1.9). */
public final class Interrupts {
    public static final int SSIP = 1;
    public static final int MSIP = 3;
    public static final int STIP = 5;
    public static final int MTIP = 7;
    public static final int SEIP = 9;
    public static final int MEIP = 11;

    private Interrupts() {
    }
}
