package dev.nucleo.host;

/** A virtio-vsock device in a {@link VmConfig}: the guest's CID and the host's Unix socket. */
public record VsockConfig(long cid, String socket) {
}
