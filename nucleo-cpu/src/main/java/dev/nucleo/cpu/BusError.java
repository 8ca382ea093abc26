package dev.nucleo.cpu;

/** Nothing answers at a physical address; the hart turns it into an access-fault trap. */
public final class BusError extends RuntimeException {
    private final long address;

    public BusError(long address) {
        super(null, null, false, false);
        this.address = address;
    }

    public long address() {
        return address;
    }

    @Override
    public String getMessage() {
        return "no device at physical address 0x" + Long.toHexString(address);
    }
}
