package dev.nucleo.cpu;

/**
 * A physical bus with no devices on it, for a bare hart (tests, benchmarks): every access
 * outside RAM is a bus error.
 */
final class EmptyBus implements PhysicalBus {
    static final PhysicalBus INSTANCE = new EmptyBus();

    private EmptyBus() {
    }

    @Override
    public long load(long address, int size) {
        throw new BusError(address);
    }

    @Override
    public void store(long address, int size, long value) {
        throw new BusError(address);
    }
}
