package dev.nucleo.vmm;

import dev.nucleo.virtio.UnixSocketConsole;
import dev.nucleo.virtio.VirtioConsole;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A virtio console, the guest's {@code /dev/hvc0}, whose host side is a Unix domain socket
 * that Nucleo listens on: one client at a time reads the guest's output and types its input.
 *
 * @param socket where to listen; a stale socket there is replaced, any other file is an error
 */
public record ConsoleDeviceSpec(Path socket) implements DeviceSpec {
    public ConsoleDeviceSpec {
        Objects.requireNonNull(socket, "socket");
    }

    /** The device, listening already, so a client may connect before the guest boots. */
    VirtioConsole open() throws VmConfigException {
        try {
            return new VirtioConsole(UnixSocketConsole.listen(socket));
        } catch (IOException e) {
            throw new VmConfigException(VmConfigException.Kind.USAGE,
                    "cannot listen for the console on " + socket + ": " + e.getMessage());
        }
    }
}
