package dev.nucleo.cpu;

/** CSR numbers and mstatus fields (privileged spec, chapter 2 and 3). */
final class Csr {
    static final int FFLAGS = 0x001;
    static final int FRM = 0x002;
    static final int FCSR = 0x003;
    static final int CYCLE = 0xc00;
    static final int TIME = 0xc01;
    static final int INSTRET = 0xc02;
    static final int HPMCOUNTER3 = 0xc03;
    static final int HPMCOUNTER31 = 0xc1f;

    static final int SSTATUS = 0x100;
    static final int SIE = 0x104;
    static final int STVEC = 0x105;
    static final int SCOUNTEREN = 0x106;
    static final int SENVCFG = 0x10a;
    static final int SSCRATCH = 0x140;
    static final int SEPC = 0x141;
    static final int SCAUSE = 0x142;
    static final int STVAL = 0x143;
    static final int SIP = 0x144;
    static final int STIMECMP = 0x14d;
    static final int SATP = 0x180;

    static final int MVENDORID = 0xf11;
    static final int MARCHID = 0xf12;
    static final int MIMPID = 0xf13;
    static final int MHARTID = 0xf14;
    static final int MCONFIGPTR = 0xf15;
    static final int MSTATUS = 0x300;
    static final int MISA = 0x301;
    static final int MEDELEG = 0x302;
    static final int MIDELEG = 0x303;
    static final int MIE = 0x304;
    static final int MTVEC = 0x305;
    static final int MCOUNTEREN = 0x306;
    static final int MENVCFG = 0x30a;
    static final int MCOUNTINHIBIT = 0x320;
    static final int MHPMEVENT3 = 0x323;
    static final int MHPMEVENT31 = 0x33f;
    static final int MSCRATCH = 0x340;
    static final int MEPC = 0x341;
    static final int MCAUSE = 0x342;
    static final int MTVAL = 0x343;
    static final int MIP = 0x344;
    static final int PMPCFG0 = 0x3a0;
    static final int PMPCFG15 = 0x3af;
    static final int PMPADDR0 = 0x3b0;
    static final int PMPADDR63 = 0x3ef;
    static final int MCYCLE = 0xb00;
    static final int MINSTRET = 0xb02;
    static final int MHPMCOUNTER3 = 0xb03;
    static final int MHPMCOUNTER31 = 0xb1f;

    // mstatus bits
    static final long SIE_BIT = 1L << 1;
    static final long MIE_BIT = 1L << 3;
    static final long SPIE_BIT = 1L << 5;
    static final long MPIE_BIT = 1L << 7;
    static final long SPP_BIT = 1L << 8;
    static final int MPP_SHIFT = 11;
    static final long MPP_MASK = 3L << MPP_SHIFT;
    static final long FS_MASK = 3L << 13;
    static final long MPRV_BIT = 1L << 17;
    static final long SUM_BIT = 1L << 18;
    static final long MXR_BIT = 1L << 19;
    static final long TVM_BIT = 1L << 20;
    static final long TW_BIT = 1L << 21;
    static final long TSR_BIT = 1L << 22;
    static final long UXL_SXL_64 = (2L << 32) | (2L << 34);
    static final long SD_BIT = 1L << 63;

    static final long MSTATUS_WRITABLE = SIE_BIT | MIE_BIT | SPIE_BIT | MPIE_BIT | SPP_BIT | MPP_MASK
            | FS_MASK | MPRV_BIT | SUM_BIT | MXR_BIT | TVM_BIT | TW_BIT | TSR_BIT;
    static final long SSTATUS_VISIBLE = SIE_BIT | SPIE_BIT | SPP_BIT | FS_MASK | SUM_BIT | MXR_BIT
            | (3L << 32) | SD_BIT;
    static final long SSTATUS_WRITABLE = SIE_BIT | SPIE_BIT | SPP_BIT | FS_MASK | SUM_BIT | MXR_BIT;

    /** misa: RV64 with A, C, D, F, I, M, S, U. */
    static final long MISA_VALUE = (2L << 62) | (1 << 0) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 8)
            | (1 << 12) | (1 << 18) | (1 << 20);

    private Csr() {
    }
}
