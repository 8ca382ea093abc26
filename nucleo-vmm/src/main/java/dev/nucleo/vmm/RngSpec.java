package dev.nucleo.vmm;

/** A virtio entropy source for the guest ({@code /dev/hwrng}), fed by the host's {@code SecureRandom}. */
public record RngSpec() implements DeviceSpec {
}
