package dev.nucleo.vmm;

import java.io.OutputStream;

/** One virtual machine: built from a spec, run until the guest stops. (Being wired.) */
public final class Vm implements AutoCloseable {

    /** Builds the machine; checks every user input and fails with a clear message. */
    public static Vm create(VmSpec spec, OutputStream consoleOut) throws VmConfigException {
        throw new UnsupportedOperationException("not wired yet");
    }

    /** Runs the guest on the calling thread (and hart threads) until it stops. */
    public VmExit run() {
        throw new UnsupportedOperationException("not wired yet");
    }

    /** Types bytes on the serial console; blocks while the guest's receive buffer is full. */
    public void sendConsoleInput(byte[] data) {
        throw new UnsupportedOperationException("not wired yet");
    }

    /** Asks the VM to stop; run() then returns VmExit.Stopped. Thread-safe. */
    public void stop() {
    }

    @Override
    public void close() {
    }
}
