package dev.nucleo.machine;

/**
 * What the guest asked the board to do with its power, reported by {@link TestFinisher}.
 * Called at most once per finisher, on the hart thread that made the request; implementations
 * should hand the work off (e.g. stop the VM asynchronously) rather than block that thread.
 */
public interface PowerControl {
    /** The guest powered off cleanly (or a test passed). */
    void powerOff();

    /** The guest asked for a reboot. */
    void reset();

    /** The guest reported failure with an exit code (0..65535). */
    void fail(int code);
}
