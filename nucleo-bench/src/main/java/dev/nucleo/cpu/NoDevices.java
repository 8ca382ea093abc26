package dev.nucleo.cpu;

/** A bus with nothing on it: every access outside RAM is an access fault. */
final class NoDevices implements PhysicalBus {
    @Override
    public long load(long address, int size) {
        throw new BusError(address);
    }

    @Override
    public void store(long address, int size, long value) {
        throw new BusError(address);
    }
}
