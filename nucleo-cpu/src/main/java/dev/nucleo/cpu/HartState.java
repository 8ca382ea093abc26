package dev.nucleo.cpu;

import dev.nucleo.state.Snapshottable;
import dev.nucleo.state.StateException;
import dev.nucleo.state.StateReader;
import dev.nucleo.state.StateWriter;

/**
 * Saves and loads one hart's architectural state: x and f registers, pc, instret, privilege,
 * every CSR the hart keeps (fcsr included), the LR reservation and whether it sleeps in WFI.
 * Not saved because it is derived: the TLB and the translator's blocks (a restored hart starts
 * with both empty) and the interrupt lines (the CLINT and PLIC drive them again on load).
 * Load only while the hart is not running.
 */
final class HartState implements Snapshottable {
    /** 2 added stimecmp (Sstc); version 1 states load with stimecmp unprogrammed. */
    private static final int VERSION = 2;

    private final Hart hart;

    HartState(Hart hart) {
        this.hart = hart;
    }

    @Override
    public void save(StateWriter out) {
        CsrFile c = hart.csr;
        out.putInt(VERSION);
        out.putLongs(hart.x).putLongs(hart.f).putLong(hart.pc).putLong(hart.instret).putLong(hart.trapsTaken);
        out.putBoolean(hart.waitingForInterrupt).putInt(hart.fpu.flags).putInt(c.frm);
        out.putInt(c.privilege);
        out.putLongs(new long[] {c.mstatus, c.medeleg, c.mideleg, c.mie, c.mipSoftware, c.mtvec, c.mcounteren,
            c.menvcfg, c.mcountinhibit, c.mscratch, c.mepc, c.mcause, c.mtval, c.stvec, c.scounteren, c.senvcfg,
            c.sscratch, c.sepc, c.scause, c.stval, c.satp});
        out.putLongs(c.pmpcfg).putLongs(c.pmpaddr);
        out.putLong(hart.mmu.reservation).putLong(hart.mmu.reservedValue);
        out.putLong(c.stimecmp);
    }

    @Override
    public void load(StateReader in) throws StateException {
        CsrFile c = hart.csr;
        int version = in.getInt(1, VERSION, "hart state version");
        in.getLongs(hart.x, "x registers");
        in.getLongs(hart.f, "f registers");
        if (hart.x[0] != 0) {
            throw in.bad("x0 is not zero");
        }
        hart.pc = in.getLong();
        hart.instret = in.getLong();
        hart.trapsTaken = in.getLong();
        hart.waitingForInterrupt = in.getBoolean();
        hart.fpu.flags = in.getInt(0, 0x1f, "fflags");
        c.frm = in.getInt(0, 7, "frm");
        c.privilege = in.getInt(Mmu.PRIV_U, Mmu.PRIV_M, "privilege");
        if (c.privilege == 2) {
            throw in.bad("privilege 2 does not exist");
        }
        long[] v = new long[21];
        in.getLongs(v, "CSRs");
        c.mstatus = v[0];
        c.medeleg = v[1];
        c.mideleg = v[2];
        c.mie = v[3];
        c.mipSoftware = v[4];
        c.mtvec = v[5];
        c.mcounteren = v[6];
        c.menvcfg = v[7];
        c.mcountinhibit = v[8];
        c.mscratch = v[9];
        c.mepc = v[10];
        c.mcause = v[11];
        c.mtval = v[12];
        c.stvec = v[13];
        c.scounteren = v[14];
        c.senvcfg = v[15];
        c.sscratch = v[16];
        c.sepc = v[17];
        c.scause = v[18];
        c.stval = v[19];
        c.satp = v[20];
        long satpMode = c.satp >>> 60;
        if (satpMode != 0 && satpMode != 8 && satpMode != 9) {
            throw in.bad("satp mode " + satpMode + " is not supported");
        }
        in.getLongs(c.pmpcfg, "pmpcfg");
        in.getLongs(c.pmpaddr, "pmpaddr");
        long reservation = in.getLong();
        long reservedValue = in.getLong();
        if (reservation < -1 || reservation >= hart.mmu.ramSize) {
            throw in.bad("LR reservation 0x" + Long.toHexString(reservation) + " lies outside RAM");
        }
        hart.mmu.reservation = reservation;
        hart.mmu.reservedValue = reservedValue;
        c.stimecmp = version >= 2 ? in.getLong() : -1;
        in.expectEnd();
        if (!hart.hasSstc()) {
            c.menvcfg &= ~CsrFile.STCE_BIT;     // WARL: this hart has no stimecmp
        }
        c.updateInterruptSources();
        hart.supervisorCompareChanged();
        hart.stateChanged();        // MMU configured from satp/privilege/mstatus
        hart.mmu.flush();           // the TLB is derived state: start empty
    }
}
