package dev.nucleo.cli;

import dev.nucleo.vmm.ConsoleDeviceSpec;
import java.nio.file.Path;
import picocli.CommandLine;

/** {@code --console-device socket=PATH}: a virtio console (hvc0) on a Unix socket Nucleo listens on. */
final class ConsoleDeviceOption implements CommandLine.ITypeConverter<ConsoleDeviceSpec> {
    static final String SOCKET = "socket=";

    @Override
    public ConsoleDeviceSpec convert(String value) {
        if (!value.startsWith(SOCKET)) {
            throw new CommandLine.TypeConversionException(
                    "'" + value + "': expected socket=PATH (the Unix socket to listen on)");
        }
        String path = value.substring(SOCKET.length());
        if (path.isEmpty()) {
            throw new CommandLine.TypeConversionException("--console-device socket= needs a path");
        }
        try {
            return new ConsoleDeviceSpec(Path.of(path));
        } catch (java.nio.file.InvalidPathException e) {
            throw new CommandLine.TypeConversionException("'" + path + "' is not a valid path: " + e.getReason());
        }
    }
}
