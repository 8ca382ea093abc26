package dev.nucleo.vmm;

/**
 * A virtio device other than a disk that the user asked for (network card, entropy source,
 * console, vsock, balloon). Each kind is a record implementing this interface;
 * {@link VirtioDevices} turns it into a device model. They are attached after the disks, in
 * the order given.
 */
public interface DeviceSpec {
}
