package dev.nucleo.host;

/** Where a VM the daemon knows of stands. */
public enum VmState {
    /** Defined, never started since the daemon started. */
    DEFINED,
    /** Its harts are running. */
    RUNNING,
    /** Its harts are halted; it can be resumed. */
    PAUSED,
    /** It ended normally: powered off, or stopped from the host. */
    STOPPED,
    /** It ended abnormally (guest crash, failure report, a fault in Nucleo); see the exit reason. */
    CRASHED;

    /** Whether the VM holds a machine (harts, RAM) right now. */
    public boolean active() {
        return this == RUNNING || this == PAUSED;
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
