package dev.nucleo.vmm;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A virtio-vsock device whose host side is Unix sockets (Firecracker's convention): guest
 * connections to (CID 2, port P) reach {@code socket_P}; host programs connect to
 * {@code socket} and write {@code CONNECT <port>\n} to reach the guest's port.
 *
 * @param guestCid the guest's context ID; 0..2 are reserved, so at least 3
 * @param socket   the Unix socket the VMM listens on
 */
public record VsockSpec(long guestCid, Path socket) implements DeviceSpec {
    public VsockSpec {
        Objects.requireNonNull(socket, "socket");
        if (guestCid < 3 || guestCid > 0xffff_fffeL) {
            throw new IllegalArgumentException("vsock guest CID must be in 3..4294967294, got " + guestCid);
        }
    }
}
