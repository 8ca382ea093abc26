package dev.nucleo.state;

/**
 * A component whose state can be written into a snapshot and read back into a freshly built
 * twin (same configuration). {@link #save} runs while the VM is paused; {@link #load} runs
 * before the restored VM's threads start. Derived state (TLBs, translated code, armed host
 * timers) is not saved but rebuilt by {@code load}.
 */
public interface Snapshottable {
    /** Writes this component's state. */
    void save(StateWriter out);

    /**
     * Replaces this component's state with what {@link #save} wrote.
     *
     * @throws StateException if the data is malformed or does not fit this component
     */
    void load(StateReader in) throws StateException;
}
