package dev.nucleo.vmm;

import dev.nucleo.machine.VirtBoard;
import dev.nucleo.virtio.VirtioDevice;

/** Builds the device model for each {@link DeviceSpec}: one case per kind of device. */
final class VirtioDevices {
    private VirtioDevices() {
    }

    static VirtioDevice create(DeviceSpec spec, VirtBoard board) throws VmConfigException {
        // One "if (spec instanceof XSpec x) return ...;" per kind of device.
        throw new VmConfigException(VmConfigException.Kind.USAGE, "this build of Nucleo has no device for " + spec);
    }
}
