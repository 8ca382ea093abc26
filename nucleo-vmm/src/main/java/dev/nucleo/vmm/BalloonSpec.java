package dev.nucleo.vmm;

/**
 * A virtio memory balloon, driven from the host through {@link Vm#setBalloonTarget}; pages the
 * guest gives to it are released on the host.
 */
public record BalloonSpec() implements DeviceSpec {
}
