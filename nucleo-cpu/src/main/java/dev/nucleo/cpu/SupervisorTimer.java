package dev.nucleo.cpu;

/**
 * The comparator behind a hart's {@code stimecmp} (the Sstc extension): the platform timer
 * drives the hart's STIP line high while mtime &ge; the compare value, waking the hart when
 * that time comes, so a supervisor programs its timer with a CSR write instead of an SBI call
 * into firmware (two traps into M-mode per timer event).
 */
public interface SupervisorTimer {
    /**
     * Hart {@code hartId}'s stimecmp is now {@code stimecmp}: from a CSR write on the hart's
     * thread, or when the hart is connected or restored from a snapshot (on the VMM's thread).
     */
    void setSupervisorCompare(int hartId, long stimecmp);
}
