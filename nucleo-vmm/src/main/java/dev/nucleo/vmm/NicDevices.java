package dev.nucleo.vmm;

import dev.nucleo.virtio.VirtioNet;
import dev.nucleo.virtio.net.NetBackend;
import dev.nucleo.virtio.net.StreamNetBackend;
import dev.nucleo.virtio.net.TapNetBackend;
import java.io.IOException;

/** Opens the host side of a {@link NicSpec} and puts a virtio-net card on it. */
final class NicDevices {
    private NicDevices() {
    }

    static VirtioNet create(NicSpec spec) throws VmConfigException {
        return new VirtioNet(open(spec.backend()), spec.mac());
    }

    private static NetBackend open(NicSpec.Backend backend) throws VmConfigException {
        try {
            return switch (backend) {
                case NicSpec.StreamListen l -> StreamNetBackend.listen(l.path());
                case NicSpec.StreamConnect c -> StreamNetBackend.connect(c.path());
                case NicSpec.Tap t -> TapNetBackend.open(t.ifname());
            };
        } catch (IOException e) {
            // A host that cannot give us the link is a setup problem the user must fix.
            throw new VmConfigException(VmConfigException.Kind.USAGE, "--net " + backend.spec() + ": " + e.getMessage());
        }
    }
}
