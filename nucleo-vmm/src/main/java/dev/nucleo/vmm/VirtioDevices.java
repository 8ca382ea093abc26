package dev.nucleo.vmm;

import dev.nucleo.machine.VirtBoard;
import dev.nucleo.virtio.VirtioBalloon;
import dev.nucleo.virtio.VirtioDevice;
import dev.nucleo.virtio.VirtioRng;
import dev.nucleo.virtio.VirtioVsock;
import java.io.IOException;

/** Builds the device model for each {@link DeviceSpec}: one case per kind of device. */
final class VirtioDevices {
    private VirtioDevices() {
    }

    static VirtioDevice create(DeviceSpec spec, VirtBoard board) throws VmConfigException {
        // One "if (spec instanceof XSpec x) return ...;" per kind of device.
        if (spec instanceof NicSpec nic) {
            return NicDevices.create(nic);
        }
        if (spec instanceof VsockSpec vsock) {
            return openVsock(vsock);
        }
        if (spec instanceof RngSpec) {
            return new VirtioRng();
        }
        if (spec instanceof ConsoleDeviceSpec console) {
            return console.open();
        }
        if (spec instanceof BalloonSpec) {
            return new VirtioBalloon();
        }
        throw new VmConfigException(VmConfigException.Kind.USAGE, "this build of Nucleo has no device for " + spec);
    }

    private static VirtioDevice openVsock(VsockSpec spec) throws VmConfigException {
        try {
            return VirtioVsock.open(spec.guestCid(), spec.socket());
        } catch (IOException e) {
            throw new VmConfigException(VmConfigException.Kind.USAGE,
                    "cannot listen for vsock on " + spec.socket() + ": " + e.getMessage());
        }
    }
}
