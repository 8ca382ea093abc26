package dev.nucleo.cpu;

/**
 * Decides when a hart may use the host's CPU (a host-wide scheduler: fair shares, caps).
 * Both methods are called on the hart's own thread from {@link Hart#run}; a hart without a
 * governor runs whenever the host schedules its thread.
 */
public interface RunGovernor {
    /**
     * Called before each block of instructions. Returns true when the hart may run it, after
     * waiting for its turn if need be; false only when the hart's stop was requested while
     * it waited (the governor must notice {@link Hart#requestStop} promptly).
     */
    boolean checkpoint();

    /** The hart sleeps in WFI or leaves {@link Hart#run}: it needs no CPU until the next checkpoint. */
    void idle();
}
